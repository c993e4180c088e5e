import { once } from 'node:events';
import { loadConfig } from '../config/load-config.ts';
import type { ProjectLocation } from '../config/project-location.ts';
import { StackError } from '../errors.ts';
import { formatStatusPretty } from '../status.ts';
import { readDaemonState } from './daemon-state.ts';
import { endLeftoverProcesses } from './leftover-processes.ts';
import { print } from './print.ts';
import { spawnStackProcess, waitUntilReady } from './stack-process.ts';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `groundwork dev`: the stack with its logs in this terminal until Ctrl-C. The stack runs in
 * a child process of its own process group (see spawnStackProcess), which this process tells
 * to stop when the terminal interrupts it, and whose exit code it returns.
 */
export async function devCommand(location: ProjectLocation): Promise<void> {
  if (readDaemonState(location)) {
    throw new StackError(
      'already_running',
      'groundwork is already running; "groundwork stop" first',
      'start',
    );
  }
  // Checked here, as `start` does: the stack process gets the validated config.
  const config = loadConfig({ workdir: location.workdir });
  const leftovers = await endLeftoverProcesses(location);
  if (leftovers) print(leftovers);
  const child = spawnStackProcess(config, 'inherit');
  for (const signal of STOP_SIGNALS) process.on(signal, () => child.kill(signal));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const ready = await waitUntilReady(location, child).catch(() => undefined);
  if (ready) {
    print('');
    print(formatStatusPretty(ready.status));
    print('Logs follow. Ctrl-C stops the stack.');
  }
  const [code] = await exited;
  // The stack process has already said why it ended.
  process.exit(code ?? 1);
}
