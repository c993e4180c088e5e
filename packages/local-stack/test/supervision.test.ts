import { createServer } from 'node:net';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStackError } from '../src/errors.ts';
import { createLogger, type LogSink } from '../src/logger.ts';
import { startTestStack, type TestStack } from '../src/testing/index.ts';

const fixture = new URL('./fixtures/rls-project', import.meta.url).pathname;

describe('supervision', () => {
  let stack: TestStack;
  const lines: string[] = [];
  const sink: LogSink = (line) => lines.push(line);
  beforeAll(async () => {
    stack = await startTestStack({ workdir: fixture, services: [], log: createLogger('test', sink) });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('restarts Postgres after it is killed, says so, and requests succeed again', async () => {
    const pid = stack.postgres.process.pid as number;
    process.kill(pid, 'SIGKILL');
    const anon = createClient(stack.apiUrl, stack.keys.anonKey, { auth: { persistSession: false } });
    let result = await anon.rpc('add_numbers', { a: 1, b: 2 });
    for (let attempt = 0; result.data !== 3 && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      result = await anon.rpc('add_numbers', { a: 1, b: 2 });
    }
    expect(result.data).toBe(3);
    expect(stack.postgres.process.pid).not.toBe(pid);
    expect(lines.some((line) => /postgres exited unexpectedly/.test(line))).toBe(true);
    // The supervisor logs once its own readiness probe passes, which can trail the first good request.
    await expect.poll(() => lines.some((line) => /postgres restarted/.test(line))).toBe(true);
  });
});

describe('a port that is taken', () => {
  it('fails the start naming the port, its purpose, the program holding it and the setting that moves it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { freePorts } = await import('../src/testing/index.ts');
      const { loadConfig } = await import('../src/config/load-config.ts');
      const { startStack } = await import('../src/stack.ts');
      const { silentLogger } = await import('../src/logger.ts');
      const config = loadConfig({ workdir: fixture, ports: { ...(await freePorts()), db: port } });
      const failure = await startStack({ config, log: silentLogger, services: [] }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isStackError(failure) && failure.code).toBe('port_in_use');
      // The blocker is this test process: found through /proc, named by pid and command line.
      const command = [process.execPath, ...process.execArgv, ...process.argv.slice(1)].join(' ');
      expect((failure as Error).message).toBe(
        `port ${port} (database) is in use by pid ${process.pid} (${command}); stop that program or set another db.port in supabase/config.toml`,
      );
    } finally {
      blocker.close();
    }
  });
});
