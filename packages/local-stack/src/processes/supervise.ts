import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Logger } from '../logger.ts';

export interface SupervisedProcessOptions {
  name: string;
  spawn: () => ChildProcess;
  /** Resolves once the process serves requests; rejects with the cause if it can't. */
  waitUntilReady: (child: ChildProcess) => Promise<void>;
  log: Logger;
  /** Signal that asks the process for a clean, fast shutdown. */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
  /** Called after a restart succeeded (e.g. PostgREST reloads its schema cache by itself). */
  onRestarted?: () => void | Promise<void>;
}

/**
 * `running` once started (and again after each restart), `restarting` between a crash and the
 * new process, `given-up` after too many crashes in a minute: nothing serves any more.
 */
export type SupervisedState = 'running' | 'restarting' | 'given-up';

export interface SupervisedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** How many times a new process was started after one died. */
  readonly restarts: number;
  readonly state: SupervisedState;
  /** Why it was given up on, in one sentence (set with state `given-up`). */
  readonly failure: string | undefined;
  /** Called whenever the pid or the state changes (a restart, giving up). */
  onChange(listener: () => void): void;
  /** Stops it for good (no restart), with `signal` instead of the usual stop signal if given. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const RESTART_WINDOW_MS = 60_000;
/** Crashes within the window that are still restarted; the next one is given up on. */
const MAX_RESTARTS_IN_WINDOW = 5;

/**
 * Starts a child process and restarts it whenever it dies unexpectedly, saying so in
 * the log. Gives up after repeated crashes in a short window, so a process that can
 * never start doesn't spin.
 */
export async function startSupervised(options: SupervisedProcessOptions): Promise<SupervisedProcess> {
  const { name, log } = options;
  let child = options.spawn();
  let stopping = false;
  let restarts = 0;
  let state: SupervisedState = 'running';
  let failure: string | undefined;
  const listeners: (() => void)[] = [];
  const changed = (next: SupervisedState) => {
    state = next;
    for (const listener of listeners) listener();
  };
  const recentCrashes: number[] = [];

  const watch = (current: ChildProcess) => {
    current.once('exit', (code, signal) => {
      if (stopping || current !== child) return;
      const now = Date.now();
      recentCrashes.push(now);
      while ((recentCrashes[0] ?? now) < now - RESTART_WINDOW_MS) recentCrashes.shift();
      if (recentCrashes.length > MAX_RESTARTS_IN_WINDOW) {
        failure = `${name} exited (last: ${signal ?? `code ${code}`}) ${recentCrashes.length} times in a minute and is no longer restarted`;
        log.error(`${failure}; restart groundwork once the cause is fixed`);
        changed('given-up');
        return;
      }
      log.warn(`${name} exited unexpectedly (${signal ?? `code ${code}`}); restarting`);
      changed('restarting');
      setTimeout(() => void restart(), 100 * recentCrashes.length);
    });
  };

  const restart = async () => {
    if (stopping) return;
    child = options.spawn();
    // Counted as the new process starts: whoever sees it serve also sees the count.
    restarts += 1;
    watch(child);
    // A child that died at once has already been counted (and maybe given up on) by its watcher.
    if (state === 'restarting') changed('running');
    try {
      await options.waitUntilReady(child);
      log.info(`${name} restarted (pid ${child.pid})`);
      await options.onRestarted?.();
    } catch (error) {
      log.error(`${name} failed to restart: ${(error as Error).message}`);
    }
  };

  try {
    await options.waitUntilReady(child);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  watch(child);

  return {
    name,
    get pid() {
      return child.pid;
    },
    get restarts() {
      return restarts;
    },
    get state() {
      return state;
    },
    get failure() {
      return failure;
    },
    onChange(listener) {
      listeners.push(listener);
    },
    async stop(signal) {
      stopping = true;
      await stopChild(child, signal ?? options.stopSignal ?? 'SIGTERM', options.stopTimeoutMs ?? 10_000);
    },
  };
}

export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}
