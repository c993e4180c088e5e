import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackStatus } from '../status.ts';

/** Written by the running stack once it is ready; read by `status`, `stop` and `reset`. */
export interface DaemonState {
  pid: number;
  childPids: number[];
  /** The Postgres data folder, so `stop` can end an orphaned server without loading the config. */
  dataDir: string;
  startedAt: string;
  status: StackStatus;
}

/** What the state files hang off: `<workdir>/.groundwork/<project_id>` for the CLI. */
interface StateLocation {
  stateDir: string;
}

export const stateFile = (at: StateLocation) => join(at.stateDir, 'stack.json');
export const logFile = (at: StateLocation) => join(at.stateDir, 'stack.log');

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readDaemonState(at: StateLocation): DaemonState | undefined {
  const file = stateFile(at);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as DaemonState;
    return isAlive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeDaemonState(at: StateLocation, state: DaemonState): void {
  writeFileSync(stateFile(at), `${JSON.stringify(state, null, 2)}\n`);
}

export function clearDaemonState(at: StateLocation): void {
  rmSync(stateFile(at), { force: true });
}
