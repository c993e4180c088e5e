import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from '../config/load-config.ts';
import type { StackStatus } from '../status.ts';

/** Written by the running stack once it is ready; read by `status` and `stop`. */
export interface DaemonState {
  pid: number;
  childPids: number[];
  startedAt: string;
  status: StackStatus;
}

export const stateFile = (config: StackConfig) => join(config.stateDir, 'stack.json');
export const logFile = (config: StackConfig) => join(config.stateDir, 'stack.log');

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readDaemonState(config: StackConfig): DaemonState | undefined {
  const file = stateFile(config);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as DaemonState;
    return isAlive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeDaemonState(config: StackConfig, state: DaemonState): void {
  writeFileSync(stateFile(config), `${JSON.stringify(state, null, 2)}\n`);
}

export function clearDaemonState(config: StackConfig): void {
  rmSync(stateFile(config), { force: true });
}
