import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { StackConfig } from '../config/load-config.ts';
import { generateTypes } from '../database/generate-types.ts';
import { StackError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { databaseUrl } from '../processes/postgres.ts';
import { runSupabaseCli } from '../processes/supabase-cli.ts';
import { formatCronJobs, listCronJobs } from '../services/cron/job-summary.ts';
import { dataDirOf } from '../stack.ts';
import { formatStatusEnv, formatStatusPretty, type StackStatus } from '../status.ts';
import { clearDaemonState, isAlive, logFile, readDaemonState } from './daemon-state.ts';
import { runForeground } from './run-foreground.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

export async function devCommand(config: StackConfig, options: { background?: boolean } = {}): Promise<void> {
  if (readDaemonState(config)) {
    throw new StackError(
      'already_running',
      'groundwork is already running; "groundwork stop" first',
      'start',
    );
  }
  const stack = await runForeground(config, createLogger('groundwork'), print);
  if (options.background) return;
  print('');
  print(formatStatusPretty(stack.status));
  print('Logs follow. Ctrl-C stops the stack.');
}

/** Background mode: the same foreground runner in a detached process, logging to a file. */
export async function startCommand(config: StackConfig): Promise<void> {
  const running = readDaemonState(config);
  if (running) {
    print('groundwork is already running.');
    print(formatStatusPretty(running.status));
    return;
  }
  mkdirSync(config.stateDir, { recursive: true });
  const log = logFile(config);
  rmSync(log, { force: true });
  const out = openSync(log, 'a');
  const bin = fileURLToPath(new URL('../../bin/groundwork.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'dev', '--workdir', config.workdir, '--quiet-status'], {
    detached: true,
    stdio: ['ignore', out, out],
    env: process.env,
  });
  closeSync(out);
  child.unref();

  // Echo the daemon's progress lines until it reports ready or dies.
  let offset = 0;
  const echoNewLines = () => {
    if (!existsSync(log)) return '';
    const size = statSync(log).size;
    if (size <= offset) return '';
    const text = readFileSync(log).subarray(offset, size).toString('utf8');
    offset = size;
    for (const line of text.split('\n')) if (line.trim()) print(line);
    return text;
  };
  for (;;) {
    echoNewLines();
    const state = readDaemonState(config);
    if (state && state.pid === child.pid) break;
    if (child.pid === undefined || !isAlive(child.pid)) {
      echoNewLines();
      throw new StackError('service_failed', `groundwork failed to start; see ${log}`, 'start');
    }
    await sleep(30);
  }
  echoNewLines();
  const state = readDaemonState(config);
  if (state) print(`\n${formatStatusPretty(state.status)}`);
}

export async function stopCommand(config: StackConfig): Promise<void> {
  const state = readDaemonState(config);
  if (!state) {
    clearDaemonState(config);
    print('groundwork is not running.');
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isAlive(state.pid) && Date.now() < deadline) await sleep(50);
  // If the stack process was killed hard, its children may be orphaned: end them too.
  for (const pid of [state.pid, ...state.childPids]) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  const postmaster = `${dataDirOf(config)}/postmaster.pid`;
  if (existsSync(postmaster)) {
    const pid = Number(readFileSync(postmaster, 'utf8').split('\n')[0]);
    if (pid && isAlive(pid)) process.kill(pid, 'SIGINT');
  }
  clearDaemonState(config);
  print('groundwork stopped.');
}

export async function statusCommand(config: StackConfig, output: string | undefined): Promise<void> {
  const state = readDaemonState(config);
  if (!state)
    throw new StackError('not_running', 'groundwork is not running; "groundwork start" first', 'status');
  const status: StackStatus = state.status;
  if (output === 'env') process.stdout.write(formatStatusEnv(status));
  else if (output === 'json') print(JSON.stringify(status, null, 2));
  else {
    process.stdout.write(formatStatusPretty(status));
    await printCronJobs(Number(new URL(status.DB_URL).port));
  }
}

/** Scheduled jobs and their last runs, when the project uses pg_cron. */
async function printCronJobs(port: number): Promise<void> {
  // cron.job shows each role its own jobs only; the status lists everyone's.
  const client = new pg.Client({ connectionString: databaseUrl(port, 'supabase_admin') });
  try {
    await client.connect();
    const jobs = await listCronJobs(client);
    if (jobs) process.stdout.write(`\n${formatCronJobs(jobs)}`);
  } catch (error) {
    print(`\nCron jobs: could not be read (${(error as Error).message})`);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function resetCommand(config: StackConfig): Promise<void> {
  const wasRunning = Boolean(readDaemonState(config));
  if (wasRunning) await stopCommand(config);
  rmSync(dataDirOf(config), { recursive: true, force: true });
  rmSync(config.stateDir, { recursive: true, force: true });
  print(`removed ${config.stateDir}`);
  await startCommand(config);
}

function runningDbUrl(config: StackConfig): string {
  const state = readDaemonState(config);
  if (!state)
    throw new StackError('not_running', 'groundwork is not running; "groundwork start" first', 'cli');
  return `${state.status.DB_URL}?sslmode=disable`;
}

export async function genTypesCommand(config: StackConfig, schemas: string[]): Promise<void> {
  const dbUrl = runningDbUrl(config).replace(/\?sslmode=disable$/, '');
  process.stdout.write(await generateTypes({ dbUrl, workdir: config.workdir, schemas }));
}

export async function advisorsCommand(config: StackConfig, extra: string[]): Promise<void> {
  const result = await runSupabaseCli(
    ['db', 'advisors', `--remote=${runningDbUrl(config)}`, '--yes', ...extra],
    { cwd: config.workdir },
  );
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  if (result.code !== 0) process.exitCode = result.code;
}
