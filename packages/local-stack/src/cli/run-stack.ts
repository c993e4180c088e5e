import type { StackConfig } from '../config/load-config.ts';
import { createStateDir } from '../config/project-location.ts';
import { isStackError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SupervisedProcess } from '../processes/supervise.ts';
import { dataDirOf, type RunningStack, stackProcesses, startStack } from '../stack.ts';
import { clearDaemonState, type StateFile, writeDaemonState } from './daemon-state.ts';
import { RESET_SIGNAL, readResetRequest, writeResetResult } from './reset-request.ts';
import { startStackWatchdog } from './stack-watchdog.ts';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs the stack in this process until SIGINT, SIGTERM or SIGHUP: the process that
 * `groundwork start` leaves in the background and `groundwork dev` watches. A signal that
 * arrives while the stack is still starting stops it as soon as it is up, so nothing it
 * started is left behind. This process leads the process group its children join; a
 * watchdog ends that group if this process dies without stopping them (kill -9), and the
 * state file names them from the first moment, with their current pids after each restart.
 */
export async function runStack(config: StackConfig, log: Logger, print: (line: string) => void) {
  let stack: RunningStack | undefined;
  let stopRequested: string | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (!stack) {
      stopRequested = signal;
      return;
    }
    if (stopping) return;
    stopping = true;
    print(`\n${signal}: stopping`);
    await stack.stop();
    clearDaemonState(config);
    print('stopped');
    process.exit(0);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => void shutdown(signal));

  createStateDir(config);
  const watchdogPid = startStackWatchdog();
  const state: StateFile = {
    pid: process.pid,
    ...(watchdogPid ? { watchdogPid } : {}),
    childPids: [],
    processes: [],
    dataDir: dataDirOf(config),
    startedAt: new Date().toISOString(),
  };
  writeDaemonState(config, state);

  if (config.unsupported.length > 0) {
    log.warn(`config.toml settings groundwork does not serve (ignored): ${config.unsupported.join(', ')}`);
  }
  const started = performance.now();
  stack = await startStack({
    config,
    log,
    // One copy of the template kept ready makes `groundwork reset` a rename.
    spareDatabases: 1,
    onStep: (step, ms) => print(`  ✓ ${step} (${Math.round(ms)} ms)`),
  });
  if (stopRequested) return shutdown(stopRequested);
  print(`groundwork is running (${Math.round(performance.now() - started)} ms)`);
  const running = stack;
  const record = () => {
    if (stopping) return;
    writeDaemonState(config, {
      ...state,
      ...describeProcesses(stackProcesses(running)),
      status: running.status,
    });
  };
  const watch = () => {
    for (const supervised of stackProcesses(running)) supervised.onChange(record);
  };
  // `groundwork reset` while running: the database is recreated from its template in place.
  let resetting: Promise<void> = Promise.resolve();
  process.on(RESET_SIGNAL, () => {
    resetting = resetting.then(async () => {
      const id = readResetRequest(config);
      if (!id || stopping) return;
      const started = performance.now();
      try {
        await running.resetDatabase();
        const ms = Math.round(performance.now() - started);
        print(`database reset from its template (${ms} ms)`);
        writeResetResult(config, { id, ok: true, ms });
      } catch (error) {
        const ms = Math.round(performance.now() - started);
        const message = (error as Error).message;
        log.warn(`reset: ${message}`);
        writeResetResult(config, {
          id,
          ok: false,
          ms,
          message,
          ...(isStackError(error) ? { code: error.code } : {}),
        });
      }
      // A reset replaces PostgREST: record and watch the new process.
      watch();
      record();
    });
  });
  // Only now is the status written, which `reset` waits for: the handler above is in place,
  // so the signal never meets its default action (ending the process).
  watch();
  record();
}

function describeProcesses(processes: SupervisedProcess[]): Pick<StateFile, 'childPids' | 'processes'> {
  return {
    childPids: processes.flatMap((supervised) => (supervised.pid === undefined ? [] : [supervised.pid])),
    processes: processes.map((supervised) => ({
      name: supervised.name,
      pid: supervised.pid,
      state: supervised.state,
      ...(supervised.failure ? { failure: supervised.failure } : {}),
    })),
  };
}
