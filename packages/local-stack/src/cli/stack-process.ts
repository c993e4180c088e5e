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
 * V8 grows its young generation (two semi-spaces, up to 16 MB each on 64-bit) while the stack
 * starts, and gives that memory back only when its memory reducer runs, some 8–25 s into the
 * idle: whether the idle stack process held ~82 or ~100 MB depended on when it was measured.
 * Capped at 2 MB each, the young generation stays small. Under load on the gateway (Auth health,
 * a REST read and the 165 KB OpenAPI document, 8 clients) the stack process's CPU per request
 * and throughput showed no cost within the machine's noise (figures: docs/architecture.md).
 * A size the user sets (NODE_OPTIONS or the CLI's own node flags) wins.
 */
const YOUNG_GENERATION_FLAG = '--max-semi-space-size';

/** The stack process's node flags: this CLI process's own, with the young generation's cap. */
export function stackProcessFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const chosen = [...execArgv, nodeOptions].some((flag) => flag.includes(YOUNG_GENERATION_FLAG));
  return chosen ? [...execArgv] : [`${YOUNG_GENERATION_FLAG}=2`, ...execArgv];
}

/**
 * Starts the process that runs the stack (`daemon.ts`) for a project's validated config, its
 * output to the terminal or to a log file's descriptor. It gets its own session and process
 * group, and the stack's children (Postgres, PostgREST, Deno) share that group, not the
 * terminal's: a Ctrl-C reaches only the CLI process, which asks the stack to stop in order,
 * instead of every child dying at once and being reported as a crash.
 */
export function spawnStackProcess(config: StackConfig, output: 'inherit' | number): ChildProcess {
  const child = spawn(
    process.execPath,
    [...stackProcessFlags(process.execArgv, process.env.NODE_OPTIONS), DAEMON_SCRIPT, config.workdir],
    {
      detached: true,
      stdio: ['pipe', output, output],
      env: process.env,
    },
  );
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
