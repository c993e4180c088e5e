import { type ChildProcess, spawn } from 'node:child_process';
import { extname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { StackConfig } from '../config/load-config.ts';
import { StackError } from '../errors.ts';
import { encodeDaemonConfig } from './daemon-config.ts';
import { type DaemonState, isAlive, readDaemonState } from './daemon-state.ts';

/** The stack process's entry beside this file: daemon.js when built, daemon.ts when run from source. */
const DAEMON_SCRIPT = fileURLToPath(
  new URL(`./daemon${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/**
 * Starts the process that runs the stack (`daemon.ts`) for a project's validated config, its
 * output to the terminal or to a log file's descriptor. It gets its own session and process
 * group, and the stack's children (Postgres, PostgREST, Deno) share that group, not the
 * terminal's: a Ctrl-C reaches only the CLI process, which asks the stack to stop in order,
 * instead of every child dying at once and being reported as a crash.
 */
export function spawnStackProcess(config: StackConfig, output: 'inherit' | number): ChildProcess {
  const child = spawn(process.execPath, [...process.execArgv, DAEMON_SCRIPT, config.workdir], {
    detached: true,
    stdio: ['pipe', output, output],
    env: process.env,
  });
  // A stack process that failed at once has closed its end; its exit is what gets reported.
  child.stdin?.on('error', () => {});
  child.stdin?.end(encodeDaemonConfig(config));
  return child;
}

/**
 * Resolves with the state the stack process writes once it is ready; rejects if it ended
 * first. `onTick` runs between polls (`start` echoes the log there).
 */
export async function waitUntilReady(
  at: { stateDir: string },
  child: ChildProcess,
  onTick: () => void = () => {},
): Promise<DaemonState> {
  for (;;) {
    onTick();
    const state = readDaemonState(at);
    if (state && state.pid === child.pid) return state;
    if (child.pid === undefined || !isAlive(child.pid) || child.exitCode !== null) {
      onTick();
      throw new StackError('service_failed', 'groundwork failed to start', 'start');
    }
    await sleep(30);
  }
}
