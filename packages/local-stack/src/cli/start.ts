import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadConfig } from '../config/load-config.ts';
import { createStateDir } from '../config/project-location.ts';
import { isStackError, StackError } from '../errors.ts';
import { formatStatusPretty } from '../status.ts';
import { logFile, readDaemonState } from './daemon-state.ts';
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
  createStateDir(config);
  const log = logFile(config);
  rmSync(log, { force: true });
  const out = openSync(log, 'a');
  const child = spawnStackProcess(config.workdir, ['ignore', out, out]);
  closeSync(out);
  child.unref();

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
    throw isStackError(error) ? new StackError(error.code, `${error.message}; see ${log}`, 'start') : error;
  });
  print(`\n${formatStatusPretty(state.status)}`);
}
