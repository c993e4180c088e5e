import type { TestProject } from 'vitest/node';
import { startTestStack, type TestStack } from '../packages/local-stack/src/testing/index.ts';

let stack: TestStack | undefined;

export async function setup(project: TestProject) {
  stack = await startTestStack({ workdir: new URL('..', import.meta.url).pathname });
  project.provide('stack', {
    apiUrl: stack.apiUrl,
    dbUrl: stack.status.DB_URL,
    mailUrl: stack.status.MAILPIT_URL,
    anonKey: stack.keys.anonKey,
    serviceRoleKey: stack.keys.serviceRoleKey,
    publishableKey: stack.keys.publishableKey,
    secretKey: stack.keys.secretKey,
    jwtSecret: stack.keys.jwtSecret,
  });
}

export async function teardown() {
  await stack?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: {
      apiUrl: string;
      dbUrl: string;
      mailUrl: string;
      anonKey: string;
      serviceRoleKey: string;
      publishableKey: string;
      secretKey: string;
      jwtSecret: string;
    };
  }
}
