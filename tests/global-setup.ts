import { startTestStack, type TestStack } from '@groundwork/local-stack/testing';
import type { TestProject } from 'vitest/node';

let stack: TestStack | undefined;

export async function setup(project: TestProject) {
  stack = await startTestStack({
    workdir: new URL('..', import.meta.url).pathname,
    // A cold start copies the migrated and seeded database saved by an earlier run, and keeps
    // copies ready for test files that want a database of their own (startTestDatabase).
    databaseTemplate: true,
    spareDatabases: 2,
    // Every suite signs real users in through one stack from one IP; the project's limits
    // would throttle the suite itself. Auth's own suite tests the limits with tight values.
    configOverrides: {
      auth: {
        rate_limit: {
          sign_in_sign_ups: 100_000,
          token_refresh: 100_000,
          token_verifications: 100_000,
          email_sent: 100_000,
          anonymous_users: 100_000,
        },
        email: { max_frequency: '0s' },
      },
    },
  });
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
