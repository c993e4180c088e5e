import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clearDaemonState, isAlive, readDaemonState } from './daemon-state.ts';
import { print } from './print.ts';

/** `groundwork stop`: ends the background stack; its data stays for the next start. */
export async function stopCommand(at: { stateDir: string }): Promise<void> {
  const state = readDaemonState(at);
  if (!state) {
    clearDaemonState(at);
    print('groundwork is not running.');
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isAlive(state.pid) && Date.now() < deadline) await sleep(50);
  // If the stack process was killed hard, its children may be orphaned: end them too.
  for (const pid of [state.pid, ...state.childPids]) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  const postmaster = join(state.dataDir, 'postmaster.pid');
  if (existsSync(postmaster)) {
    const pid = Number(readFileSync(postmaster, 'utf8').split('\n')[0]);
    if (pid && isAlive(pid)) process.kill(pid, 'SIGINT');
  }
  clearDaemonState(at);
  print('groundwork stopped.');
}
