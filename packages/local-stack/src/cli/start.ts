import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import { loadConfig } from '../config/load-config.ts';
import { createStateDir } from '../config/project-location.ts';
import { isStackError, StackError } from '../errors.ts';
import { formatStatusPretty } from '../status.ts';
import { isAlive, logFile, readDaemonState, readStateFile } from './daemon-state.ts';
import { endLeftoverProcesses } from './leftover-processes.ts';
import { print } from './print.ts';
import { spawnStackProcess, waitUntilReady } from './stack-process.ts';

/** `groundwork start`: the stack in a background process, returning once it is ready. */
export async function startCommand(workdir: string | undefined): Promise<void> {
  // Checked here, so a bad config.toml is reported in this terminal, not only in the log.
  const config = loadConfig(workdir ? { workdir } : {});
  const running = readDaemonState(config);
  if (running) {
    print('groundwork is already running.');
    print(formatStatusPretty(running.status));
    return;
  }
  const starting = readStateFile(config);
  if (starting && isAlive(starting.pid)) {
    throw new StackError(
      'already_running',
      `groundwork is already starting (pid ${starting.pid}); wait for it, or "groundwork stop"`,
      'start',
    );
  }
  const leftovers = await endLeftoverProcesses(config);
  if (leftovers) print(leftovers);
  createStateDir(config);
  const log = logFile(config);
  // The previous run's log stays beside the new one (stack.log.1), e.g. to see why it died.
  if (existsSync(log)) renameSync(log, `${log}.1`);
  const out = openSync(log, 'a');
  const child = spawnStackProcess(config, out);
  closeSync(out);
  child.unref();
  // Ctrl-C while waiting stops the starting stack instead of leaving it to start unwatched.
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    print('\ninterrupted: stopping the stack that was starting');
    child.kill('SIGTERM');
  };
  process.once('SIGINT', interrupt);

  // Echo the stack's progress lines until it reports ready or ends.
  let offset = 0;
  const echoNewLines = () => {
    if (!existsSync(log)) return;
    const size = statSync(log).size;
    if (size <= offset) return;
    const text = readFileSync(log).subarray(offset, size).toString('utf8');
    offset = size;
    for (const line of text.split('\n')) if (line.trim()) print(line);
  };
  const state = await waitUntilReady(config, child, echoNewLines).catch((error: unknown) => {
    if (interrupted) return undefined;
    throw isStackError(error) ? new StackError(error.code, `${error.message}; see ${log}`, 'start') : error;
  });
  process.off('SIGINT', interrupt);
  if (!state) {
    print('stopped');
    // As a shell reports a command ended by Ctrl-C.
    process.exitCode = 130;
    return;
  }
  print(`\n${formatStatusPretty(state.status)}`);
}
