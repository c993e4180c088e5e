import type { StackConfig } from '../config/load-config.ts';
import type { Logger } from '../logger.ts';
import { dataDirOf, type RunningStack, startStack } from '../stack.ts';
import { clearDaemonState, writeDaemonState } from './daemon-state.ts';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs the stack in this process until SIGINT, SIGTERM or SIGHUP: the process that
 * `groundwork start` leaves in the background and `groundwork dev` watches. A signal that
 * arrives while the stack is still starting stops it as soon as it is up, so nothing it
 * started is left behind.
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

  if (config.unsupported.length > 0) {
    log.warn(`config.toml settings groundwork does not serve (ignored): ${config.unsupported.join(', ')}`);
  }
  const started = performance.now();
  stack = await startStack({
    config,
    log,
    onStep: (step, ms) => print(`  ✓ ${step} (${Math.round(ms)} ms)`),
  });
  if (stopRequested) return shutdown(stopRequested);
  print(`groundwork is running (${Math.round(performance.now() - started)} ms)`);
  writeDaemonState(config, {
    pid: process.pid,
    childPids: [stack.postgres.process.pid, stack.postgrest.process.pid].filter(
      (pid): pid is number => pid !== undefined,
    ),
    dataDir: dataDirOf(config),
    startedAt: new Date().toISOString(),
    status: stack.status,
  });
}
