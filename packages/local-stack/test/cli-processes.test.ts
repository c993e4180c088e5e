/**
 * The stack's processes as the CLI runs them: what a kill -9 of the stack process leaves (nothing),
 * what supervision records and says when it gives up, what Ctrl-C prints, and `reset` on a
 * terminal. Every test drives the built CLI (bin/groundwork.js) and real signals.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts, makeStackTempDir } from '../src/testing/index.ts';

const run = promisify(execFile);
const bin = new URL('../bin/groundwork.js', import.meta.url).pathname;

interface StateFile {
  pid: number;
  watchdogPid?: number;
  childPids: number[];
  processes: { name: string; pid: number; state: string; failure?: string }[];
  status?: { API_URL: string; DB_URL: string; PUBLISHABLE_KEY: string; ANON_KEY: string };
}

/** State letter and process group of every process (a zombie, dead but not yet reaped by init, is `Z`). */
function processTable(): { pid: number; state: string; pgrp: number }[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state = '', , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [{ pid: Number(entry), state, pgrp: Number(pgrp) }];
    } catch {
      return [];
    }
  });
}

function isAlive(pid: number) {
  return processTable().some((entry) => entry.pid === pid && entry.state !== 'Z');
}

/** True while a live process is in the process group `groupId`. */
function groupAlive(groupId: number) {
  return processTable().some((entry) => entry.pgrp === groupId && entry.state !== 'Z');
}

/** A copy of the RLS fixture with a function (so Deno runs) on free ports, in a folder of its own. */
async function makeProject(prefix: string) {
  const project = makeStackTempDir(prefix);
  cpSync(new URL('./fixtures/rls-project', import.meta.url).pathname, project, { recursive: true });
  cpSync(
    new URL('./fixtures/functions-project/supabase/functions/hello', import.meta.url).pathname,
    join(project, 'supabase/functions/hello'),
    { recursive: true },
  );
  // freePorts() leaves the mail port's next one (the CLI's SMTP port) free as well.
  const ports = await freePorts();
  const configPath = join(project, 'supabase/config.toml');
  writeFileSync(
    configPath,
    readFileSync(configPath, 'utf8')
      .replace(/^port = 54321$/m, `port = ${ports.api}`)
      .replace(/^port = 54322$/m, `port = ${ports.db}`)
      .replace(/^port = 54324$/m, `port = ${ports.mail}`),
  );
  const stateDir = join(project, '.groundwork/rls-fixture');
  const groundwork = (...args: string[]) => run(process.execPath, [bin, ...args, '--workdir', project]);
  const readState = () => JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as StateFile;
  const start = () =>
    groundwork('start').catch((error: { stdout: string; stderr: string }) => {
      throw new Error(`start failed:\n${error.stdout}\n${error.stderr}`);
    });
  return { project, ports, stateDir, groundwork, readState, start };
}

/** The CLI as a terminal runs it: in a process group of its own, which Ctrl-C signals as a whole. */
function spawnInTerminalGroup(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [bin, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

// One project for kill -9 and supervision: the stack the kill -9 test starts again is the one
// supervision crashes (a start and a stop fewer; a plain stop is checked at the end of the reset tests).
describe('the stack process and its supervision', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  afterAll(async () => {
    await project?.groundwork('stop').catch(() => {});
    if (project) rmSync(project.project, { recursive: true, force: true });
  });

  describe('kill -9 of the stack process', () => {
    it('leaves no Postgres, PostgREST or Deno behind (its watchdog ends them), and the next start keeps the previous log', async () => {
      project = await makeProject('groundwork-kill9-');
      await project.start();
      const state = project.readState();
      const { API_URL, ANON_KEY } = state.status as { API_URL: string; ANON_KEY: string };
      // A Deno process for the function, in the stack's process group like the others.
      const hello = await fetch(`${API_URL}/functions/v1/hello`, {
        headers: { authorization: `Bearer ${ANON_KEY}` },
      });
      expect(await hello.json()).toMatchObject({ message: 'hello' });
      expect(state.childPids).toHaveLength(2);
      for (const pid of state.childPids) expect(isAlive(pid)).toBe(true);

      process.kill(state.pid, 'SIGKILL');
      await expect.poll(() => groupAlive(state.pid), { timeout: 30_000, interval: 100 }).toBe(false);
      for (const pid of state.childPids) expect(isAlive(pid)).toBe(false);

      // Same ports: nothing holds them any more.
      const again = await project.start();
      expect(again.stdout).toContain(`API URL: http://127.0.0.1:${project.ports.api}`);
      expect(readFileSync(join(project.stateDir, 'stack.log.1'), 'utf8')).toContain('groundwork is running');
      const second = project.readState();
      expect(second.pid).not.toBe(state.pid);
      expect(isAlive(second.pid)).toBe(true);
    }, 180_000);
  });

  describe('supervision as the CLI reports it', () => {
    const postgrestOf = (state: StateFile) => state.processes.find((entry) => entry.name === 'postgrest');

    it('records each restarted PostgREST’s pid; after 6 crashes in a minute status and the API name it as stopped', async () => {
      // The stack the kill -9 test started again.
      const { API_URL, PUBLISHABLE_KEY } = project.readState().status as StackStatusKeys;
      const rest = () =>
        fetch(`${API_URL}/rest/v1/rpc/add_numbers?a=1&b=2`, { headers: { apikey: PUBLISHABLE_KEY } });
      expect(await (await rest()).json()).toBe(3);

      const killed: number[] = [];
      for (let crash = 1; crash <= 6; crash++) {
        const current = postgrestOf(project.readState());
        expect(current?.state).toBe('running');
        const pid = current?.pid as number;
        expect(project.readState().childPids).toContain(pid);
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
        if (crash < 6) {
          // The state file follows the restart: the new pid, running again.
          await expect
            .poll(
              () => {
                const next = postgrestOf(project.readState());
                return next?.state === 'running' && !killed.includes(next.pid);
              },
              { timeout: 20_000, interval: 50 },
            )
            .toBe(true);
        }
      }
      await expect
        .poll(() => postgrestOf(project.readState())?.state, { timeout: 20_000, interval: 50 })
        .toBe('given-up');
      for (const pid of killed) expect(isAlive(pid)).toBe(false);

      const status = await project.groundwork('status', '-o', 'env');
      expect(status.stdout).toContain(`API_URL="${API_URL}"`);
      expect(status.stderr).toMatch(
        /^Stopped service: postgrest exited \(last: SIGKILL\) 6 times in a minute and is no longer restarted; restart groundwork\n$/,
      );
      const refused = await rest();
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({
        code: 'service_unavailable',
        message:
          'The rest service is unavailable: postgrest exited (last: SIGKILL) 6 times in a minute and is no longer restarted; restart groundwork',
      });
      // Services that need only Postgres still serve.
      const health = await fetch(`${API_URL}/auth/v1/health`, { headers: { apikey: PUBLISHABLE_KEY } });
      expect(health.status).toBe(200);
    }, 180_000);

    it('stop ends what is left when the stack process and its watchdog were both killed', async () => {
      const state = project.readState();
      const postgres = state.processes.find((entry) => entry.name === 'postgres')?.pid as number;
      expect(isAlive(postgres)).toBe(true);
      process.kill(state.watchdogPid as number, 'SIGKILL');
      process.kill(state.pid, 'SIGKILL');
      // Reaped by init, which may take a moment.
      await expect.poll(() => isAlive(state.pid), { timeout: 30_000, interval: 100 }).toBe(false);
      // Nothing ends Postgres now but the next command.
      expect(isAlive(postgres)).toBe(true);

      const { stdout } = await project.groundwork('stop');
      expect(stdout).toBe(
        `groundwork had not stopped cleanly (stack process ${state.pid} ended without stopping): ended the processes of stack process ${state.pid}\ngroundwork stopped.\n`,
      );
      expect(isAlive(postgres)).toBe(false);
      expect(groupAlive(state.pid)).toBe(false);
      expect(existsSync(join(project.stateDir, 'stack.json'))).toBe(false);
      expect((await project.groundwork('stop')).stdout).toBe('groundwork is not running.\n');
    }, 60_000);
  });
});

type StackStatusKeys = { API_URL: string; PUBLISHABLE_KEY: string };

// One project for Ctrl-C and reset: the database `groundwork dev` made (and the interrupted start
// left stopped) is the one reset is asked to delete — a start and a stop fewer.
describe('stopping and resetting', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  afterAll(async () => {
    await project?.groundwork('stop').catch(() => {});
    if (project) rmSync(project.project, { recursive: true, force: true });
  });

  describe('Ctrl-C', () => {
    it('stops groundwork dev in order, printing no "exited unexpectedly; restarting" line', async () => {
      project = await makeProject('groundwork-ctrl-c-');
      const dev = spawnInTerminalGroup(['dev', '--workdir', project.project]);
      const exited = once(dev.child, 'exit') as Promise<[number | null, string | null]>;
      await expect.poll(dev.output, { timeout: 120_000, interval: 100 }).toContain('Ctrl-C stops the stack.');
      const stack = project.readState().pid;
      process.kill(-(dev.child.pid as number), 'SIGINT');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(dev.output()).toContain('SIGINT: stopping');
      expect(dev.output()).toMatch(/stopped\n$/);
      expect(dev.output()).not.toMatch(/unexpectedly|restarting|exited/);
      expect(groupAlive(stack)).toBe(false);
    }, 180_000);

    it('during groundwork start stops the starting stack, and neither the terminal nor the log shows a crash', async () => {
      const start = spawnInTerminalGroup(['start', '--workdir', project.project]);
      const exited = once(start.child, 'exit') as Promise<[number | null, string | null]>;
      await expect.poll(start.output, { timeout: 120_000, interval: 20 }).toContain('✓ postgres');
      const stack = project.readState().pid;
      process.kill(-(start.child.pid as number), 'SIGINT');
      const [code] = await exited;
      expect(code).toBe(130);
      expect(start.output()).toContain('interrupted: stopping the stack that was starting');
      await expect.poll(() => groupAlive(stack), { timeout: 60_000, interval: 100 }).toBe(false);
      const log = readFileSync(join(project.stateDir, 'stack.log'), 'utf8');
      expect(log).toContain('SIGTERM: stopping');
      expect(`${start.output()}${log}`).not.toMatch(/unexpectedly|restarting/);
      expect(existsSync(join(project.stateDir, 'stack.json'))).toBe(false);
    }, 180_000);
  });

  describe('groundwork reset', () => {
    /** The command on a terminal (util-linux `script` gives it a pseudo-terminal), answering `answer`. */
    async function onTerminal(args: string, answer: string) {
      const child = spawn('script', ['-qec', `${process.execPath} ${bin} ${args}`, '/dev/null'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      await expect.poll(() => output, { timeout: 30_000, interval: 20 }).toContain('[y/N]');
      child.stdin?.write(`${answer}\n`);
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, output };
    }

    it('asks on a terminal and deletes nothing unless told yes; a stopped stack is not started', async () => {
      // Stopped, with the database `groundwork dev` made in the Ctrl-C tests.
      expect(existsSync(join(project.stateDir, 'stack.json'))).toBe(false);
      const database = join(project.stateDir, 'postgres');
      expect(existsSync(join(database, 'PG_VERSION'))).toBe(true);

      const declined = await onTerminal(`reset --workdir ${project.project}`, 'n');
      expect(declined.output).toContain('deletes the local database and stored files');
      expect(declined.output).toContain('Nothing deleted.');
      expect(declined.code).toBe(1);
      expect(existsSync(join(database, 'PG_VERSION'))).toBe(true);

      const accepted = await onTerminal(`reset --workdir ${project.project}`, 'y');
      expect(accepted.code).toBe(0);
      expect(accepted.output).toContain(`removed ${project.stateDir}`);
      expect(accepted.output).toContain('groundwork was not running, so nothing was started');
      expect(existsSync(project.stateDir)).toBe(false);
      expect(existsSync(database)).toBe(false);
      await expect(project.groundwork('status')).rejects.toMatchObject({
        stderr: expect.stringContaining('not running'),
      });
    }, 180_000);

    it("with --yes asks nothing, and recreates a running stack's database from its template in place", async () => {
      await project.start();
      const before = project.readState();
      const db = new pg.Client({ connectionString: before.status?.DB_URL });
      await db.connect();
      try {
        await db.query(
          `insert into public.notes (owner_id, body) values (gen_random_uuid(), 'written before the reset')`,
        );
      } finally {
        await db.end();
      }
      const { stdout } = await project.groundwork('reset', '--yes');
      expect(stdout).not.toContain('[y/N]');
      expect(stdout).toMatch(/^database reset from its template in \d+ ms; the stack kept running\n$/);
      const after = project.readState();
      expect(after.pid).toBe(before.pid);
      // The new PostgREST is recorded; REST answers from the recreated database at once.
      expect(after.childPids).not.toEqual(before.childPids);
      const rest = await fetch(`${after.status?.API_URL}/rest/v1/rpc/add_numbers`, {
        method: 'POST',
        headers: { apikey: after.status?.ANON_KEY ?? '', 'content-type': 'application/json' },
        body: JSON.stringify({ a: 2, b: 3 }),
      });
      expect(rest.status).toBe(200);
      const check = new pg.Client({ connectionString: after.status?.DB_URL });
      await check.connect();
      try {
        const { rows } = await check.query<{ body: string }>('select body from public.notes order by id');
        expect(rows.map((row) => row.body)).toEqual(['a1', 'a2', 'b1']);
      } finally {
        await check.end();
      }
      expect(readFileSync(join(project.stateDir, 'stack.log'), 'utf8')).toMatch(
        /database reset from its template \(\d+ ms\)/,
      );
    }, 180_000);

    it('falls back to restarting on a fresh database when the migrations changed since the template', async () => {
      const before = project.readState().pid;
      writeFileSync(
        join(project.project, 'supabase/migrations/20250102000000_more.sql'),
        // Unique to this run, so no template saved by an earlier run fits it.
        `-- ${crypto.randomUUID()}\ncreate table public.more_notes (id int primary key);\n`,
      );
      const { stdout } = await project.groundwork('reset', '--yes');
      expect(stdout).toContain(
        'the migrations or seed changed since the database template was made: deleting the local state and starting again',
      );
      expect(stdout).toContain('groundwork stopped.');
      expect(stdout).toContain(`removed ${project.stateDir}`);
      expect(stdout).toContain('✓ seed');
      expect(stdout).toContain('database: migrations and seed run, template saved');
      const after = project.readState();
      expect(after.pid).not.toBe(before);
      expect(isAlive(after.pid)).toBe(true);
      expect(groupAlive(before)).toBe(false);
      // A plain stop ends the whole group.
      await project.groundwork('stop');
      expect(groupAlive(after.pid)).toBe(false);
    }, 180_000);
  });
});
