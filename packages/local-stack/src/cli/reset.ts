import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { ProjectLocation } from '../config/project-location.ts';
import { StackError } from '../errors.ts';
import { clusterDirFor } from '../processes/data-dir.ts';
import { isAlive, readDaemonState } from './daemon-state.ts';
import { print } from './print.ts';
import { requestReset } from './reset-request.ts';
import { startCommand } from './start.ts';
import { stopCommand } from './stop.ts';

/** Asks on the terminal; anything but y/yes keeps the data. */
async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

/**
 * `groundwork reset`: the database as migrations and seed make it, stored objects gone. A
 * running stack recreates its database from its template in place (well under a second;
 * everything keeps running and reconnects). When the migrations or seed changed since that
 * template was made, or the stack is stopped, the local state is deleted instead: a running
 * stack is restarted on it (its start makes the database anew), a stopped one is left for
 * its next start to.
 */
export async function resetCommand(location: ProjectLocation, options: { yes: boolean }): Promise<void> {
  const running = readDaemonState(location);
  if (!options.yes && process.stdin.isTTY) {
    const what = running
      ? 'recreates the local database and deletes the stored files'
      : 'deletes the local database and stored files';
    const ok = await confirm(`This ${what} in ${location.stateDir}.\nContinue?`);
    if (!ok) {
      print('Nothing deleted.');
      process.exitCode = 1;
      return;
    }
  }
  if (running) {
    const result = await requestReset(location, running.pid, isAlive);
    if (result.ok) {
      print(`database reset from its template in ${result.ms} ms; the stack kept running`);
      return;
    }
    if (result.code !== 'template_outdated') {
      throw new StackError(result.code ?? 'service_failed', `reset failed: ${result.message}`, 'reset');
    }
    print(`${result.message}: deleting the local state and starting again`);
    await stopCommand(location);
  }
  const dataDir = running?.dataDir ?? clusterDirFor(location.stateDir);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(location.stateDir, { recursive: true, force: true });
  print(`removed ${location.stateDir}`);
  if (running) {
    await startCommand(location.workdir);
    return;
  }
  print('groundwork was not running, so nothing was started: the next "groundwork start" (or dev)');
  print('builds the database again from migrations and seed.');
}
