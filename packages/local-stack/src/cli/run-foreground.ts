import { mkdirSync } from 'node:fs';
import type { StackConfig } from '../config/load-config.ts';
import type { Logger } from '../logger.ts';
import { type RunningStack, startStack } from '../stack.ts';
import { clearDaemonState, writeDaemonState } from './daemon-state.ts';

/**
 * Runs the stack in this process until SIGINT/SIGTERM. Used by `groundwork dev` directly
 * and by `groundwork start` as its detached background process.
 */
export async function runForeground(config: StackConfig, log: Logger, print: (line: string) => void) {
  mkdirSync(config.stateDir, { recursive: true });
  if (config.unsupported.length > 0) {
    log.warn(`config.toml settings groundwork does not serve (ignored): ${config.unsupported.join(', ')}`);
  }
  const started = performance.now();
  const stack: RunningStack = await startStack({
    config,
    log,
    onStep: (step, ms) => print(`  ✓ ${step} (${Math.round(ms)} ms)`),
  });
  print(`groundwork is running (${Math.round(performance.now() - started)} ms)`);
  writeDaemonState(config, {
    pid: process.pid,
    childPids: [stack.postgres.process.pid, stack.postgrest.process.pid].filter(
      (pid): pid is number => pid !== undefined,
    ),
    startedAt: new Date().toISOString(),
    status: stack.status,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    print(`\n${signal}: stopping`);
    await stack.stop();
    clearDaemonState(config);
    print('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  return stack;
}
