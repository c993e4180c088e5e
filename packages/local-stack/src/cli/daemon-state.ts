import { existsSync, readFileSync, renameSync as renameFile, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SupervisedState } from '../processes/supervise.ts';
import type { StackStatus } from '../status.ts';

/** A supervised child of the stack process as the state file records it. */
export interface ProcessEntry {
  name: string;
  pid: number | undefined;
  state: SupervisedState;
  /** Why supervision gave up on it (state `given-up`). */
  failure?: string;
}

/**
 * Written by the stack process as soon as it starts, again whenever a child is restarted or given
 * up on, and with `status` once the stack is ready; read by `status`, `stop`, `start` and `reset`.
 */
export interface StateFile {
  /** The stack process, leader of the process group its children (Postgres, PostgREST, Deno) share. */
  pid: number;
  /** The watchdog that ends that group when the stack process dies without stopping it. */
  watchdogPid?: number;
  /** The current pids of the supervised children (they change when one is restarted). */
  childPids: number[];
  processes: ProcessEntry[];
  /** The Postgres data folder, so `stop` can end an orphaned server without loading the config. */
  dataDir: string;
  startedAt: string;
  /** Set once the stack is ready. */
  status?: StackStatus;
}

/** The state of a stack that is running and ready. */
export type DaemonState = StateFile & { status: StackStatus };

/** What the state files hang off: `<workdir>/.groundwork/<project_id>` for the CLI. */
interface StateLocation {
  stateDir: string;
}

export const stateFile = (at: StateLocation) => join(at.stateDir, 'stack.json');
export const logFile = (at: StateLocation) => join(at.stateDir, 'stack.log');

/**
 * Whether the process runs. A zombie (dead, not yet reaped: the stack process's parent is init
 * once `groundwork start` has returned, and a container's init may reap late or never) does not.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return processState(pid) !== 'Z';
}

/** The state letter /proc gives for a process (R, S, Z, …), or undefined where there is no /proc. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** The state file as written, whether or not its stack process still lives. */
export function readStateFile(at: StateLocation): StateFile | undefined {
  const file = stateFile(at);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StateFile;
  } catch {
    return undefined;
  }
}

/** The running stack's state, once it is ready; undefined while it starts or when none runs. */
export function readDaemonState(at: StateLocation): DaemonState | undefined {
  const state = readStateFile(at);
  return state?.status && isAlive(state.pid) ? (state as DaemonState) : undefined;
}

export function writeDaemonState(at: StateLocation, state: StateFile): void {
  // Written whole and renamed, so a reader never sees half a file.
  const file = stateFile(at);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameFile(`${file}.tmp`, file);
}

export function clearDaemonState(at: StateLocation): void {
  rmSync(stateFile(at), { force: true });
}
