import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts, makeStackTempDir } from '../src/testing/index.ts';

const run = promisify(execFile);
const bin = new URL('../bin/groundwork.js', import.meta.url).pathname;

/** The variables `supabase status -o env` prints (Supabase CLI v2/v3). */
const SUPABASE_STATUS_ENV_NAMES = [
  'ANON_KEY',
  'API_URL',
  'DB_URL',
  'FUNCTIONS_URL',
  'GRAPHQL_URL',
  'INBUCKET_URL',
  'JWT_SECRET',
  'MAILPIT_URL',
  'MCP_URL',
  'PUBLISHABLE_KEY',
  'REST_URL',
  'S3_PROTOCOL_ACCESS_KEY_ID',
  'S3_PROTOCOL_ACCESS_KEY_SECRET',
  'S3_PROTOCOL_REGION',
  'SECRET_KEY',
  'SERVICE_ROLE_KEY',
  'STORAGE_S3_URL',
  'STUDIO_URL',
];

/** Running, and not a zombie (ended, not yet reaped by init, which adopts the stack process). */
function isAlive(pid: number) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('groundwork start | status | stop', () => {
  const project = makeStackTempDir('groundwork-cli-');
  cpSync(new URL('./fixtures/rls-project', import.meta.url).pathname, project, { recursive: true });
  const groundwork = (...args: string[]) => run(process.execPath, [bin, ...args, '--workdir', project]);
  afterAll(async () => {
    await groundwork('stop').catch(() => {});
    rmSync(project, { recursive: true, force: true });
  });

  it('starts in the background, prints Supabase-compatible status, and stops leaving no process', async () => {
    const ports = await freePorts();
    const configPath = join(project, 'supabase/config.toml');
    const config = readFileSync(configPath, 'utf8')
      .replace(/^port = 54321$/m, `port = ${ports.api}`)
      .replace(/^port = 54322$/m, `port = ${ports.db}`)
      .replace(/^port = 54324$/m, `port = ${ports.mail}`);
    writeFileSync(configPath, config);

    const started = await groundwork('start').catch((error: { stdout: string; stderr: string }) => {
      throw new Error(`start failed:\n${error.stdout}\n${error.stderr}`);
    });
    expect(started.stdout).toContain('✓ postgres');
    expect(started.stdout).toContain('✓ migrations');
    expect(started.stdout).toContain(`API URL: http://127.0.0.1:${ports.api}`);

    const { stdout } = await groundwork('status', '-o', 'env');
    const env = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((line) => /^(\w+)="(.*)"$/.exec(line)?.slice(1) as [string, string]),
    );
    expect(Object.keys(env).sort()).toEqual(SUPABASE_STATUS_ENV_NAMES);
    expect(env.API_URL).toBe(`http://127.0.0.1:${ports.api}`);
    expect(env.DB_URL).toBe(`postgresql://postgres:postgres@127.0.0.1:${ports.db}/postgres`);

    const response = await fetch(`${env.API_URL}/rest/v1/rpc/add_numbers`, {
      method: 'POST',
      headers: { apikey: env.PUBLISHABLE_KEY as string, 'content-type': 'application/json' },
      body: JSON.stringify({ a: 20, b: 22 }),
    });
    expect(await response.json()).toBe(42);

    const state = JSON.parse(readFileSync(join(project, '.groundwork/rls-fixture/stack.json'), 'utf8')) as {
      pid: number;
      childPids: number[];
    };
    await groundwork('stop');
    for (const pid of [state.pid, ...state.childPids]) expect(isAlive(pid)).toBe(false);
    await expect(groundwork('status')).rejects.toMatchObject({
      stderr: expect.stringContaining('not running'),
    });
  }, 120_000);
});

describe('groundwork dev with a bad config.toml value', () => {
  const project = mkdtempSync(join(tmpdir(), 'groundwork-bad-config-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('stops before anything starts, naming the key and the problem in one line', async () => {
    const ports = await freePorts();
    mkdirSync(join(project, 'supabase'));
    writeFileSync(
      join(project, 'supabase/config.toml'),
      [
        'project_id = "bad-config"',
        `[api]\nport = ${ports.api}`,
        `[db]\nport = ${ports.db}`,
        `[local_smtp]\nport = ${ports.mail}`,
        '[storage]\nfile_size_limit = "5 parsecs"',
      ].join('\n'),
    );
    const failed = await run(process.execPath, [bin, 'dev', '--workdir', project]).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toBe('');
    expect(failed?.stderr).toBe(
      `error [config]: ${join(project, 'supabase/config.toml')}: storage.file_size_limit: invalid size "5 parsecs" (unknown unit "parsecs"; sizes look like 50MiB, 5MB, 500KB or a number of bytes)\n`,
    );
    // Nothing was started: no database folder, no state.
    expect(existsSync(join(project, '.groundwork'))).toBe(false);
  }, 60_000);
});
