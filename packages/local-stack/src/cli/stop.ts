import { setTimeout as sleep } from 'node:timers/promises';
import { clearDaemonState, isAlive, readStateFile } from './daemon-state.ts';
import { endLeftoverProcesses } from './leftover-processes.ts';
import { print } from './print.ts';

/**
 * `groundwork stop`: ends the background stack; its data stays for the next start. A stack
 * process that died without stopping (kill -9) had its processes ended by its watchdog; any
 * the watchdog did not get to are ended here.
 */
export async function stopCommand(at: { stateDir: string }): Promise<void> {
  const state = readStateFile(at);
  const wasRunning = state !== undefined && isAlive(state.pid);
  if (state && wasRunning) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (isAlive(state.pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  const leftovers = await endLeftoverProcesses(at);
  clearDaemonState(at);
  if (leftovers) print(leftovers);
  print(wasRunning || leftovers ? 'groundwork stopped.' : 'groundwork is not running.');
}
