import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { ProjectLocation } from '../config/project-location.ts';
import { clusterDirFor } from '../processes/data-dir.ts';
import { readDaemonState } from './daemon-state.ts';
import { print } from './print.ts';
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
 * `groundwork reset`: deletes the project's local state (database, stored objects, logs).
 * A running stack is restarted on the fresh state; a stopped one stays stopped and is
 * rebuilt by its next start, as a first start would.
 */
export async function resetCommand(location: ProjectLocation, options: { yes: boolean }): Promise<void> {
  const running = readDaemonState(location);
  if (!options.yes && process.stdin.isTTY) {
    const what = running ? 'stops the running stack, deletes' : 'deletes';
    const ok = await confirm(
      `This ${what} the local database and stored files in ${location.stateDir}.\nContinue?`,
    );
    if (!ok) {
      print('Nothing deleted.');
      process.exitCode = 1;
      return;
    }
  }
  if (running) await stopCommand(location);
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
