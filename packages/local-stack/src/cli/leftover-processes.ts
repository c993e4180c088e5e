import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clearDaemonState, isAlive, readStateFile } from './daemon-state.ts';

const SHUTDOWN_WAIT_MS = 15_000;

/** True while a live process (not a zombie) is in the process group `groupId`. */
function groupAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!existsSync('/proc/self/stat')) return true;
  // A zombie still counts as a member for kill(); /proc tells the living from the dead.
  return readdirSync('/proc').some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === groupId && state !== 'Z';
    } catch {
      return false;
    }
  });
}

async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Ends what a stack process left behind when it died without stopping (kill -9, a crash):
 * its process group (Postgres, PostgREST, Deno, a migration run) and a Postgres server still
 * holding the data folder. Its watchdog usually did this already; this covers a watchdog
 * that was killed too, or one still waiting for Postgres to shut down. Does nothing while the
 * stack process lives. Returns what it ended, for the user, or undefined if nothing was left.
 *
 * The group is ended only while its leader's pid is free: Linux and macOS never hand out a pid
 * that still names a process group, so a live member of that group is one of the stack's.
 */
export async function endLeftoverProcesses(at: { stateDir: string }): Promise<string | undefined> {
  const state = readStateFile(at);
  if (!state || isAlive(state.pid)) return undefined;
  const ended: string[] = [];
  if (groupAlive(state.pid)) {
    process.kill(-state.pid, 'SIGINT');
    if (!(await waitUntil(() => !groupAlive(state.pid), SHUTDOWN_WAIT_MS))) {
      process.kill(-state.pid, 'SIGKILL');
      await waitUntil(() => !groupAlive(state.pid), SHUTDOWN_WAIT_MS);
    }
    ended.push(`the processes of stack process ${state.pid}`);
  }
  const postmaster = postmasterPid(state.dataDir);
  if (postmaster && isAlive(postmaster)) {
    process.kill(postmaster, 'SIGINT');
    if (!(await waitUntil(() => !isAlive(postmaster), SHUTDOWN_WAIT_MS))) process.kill(postmaster, 'SIGKILL');
    ended.push(`postgres (pid ${postmaster})`);
  }
  clearDaemonState(at);
  return ended.length > 0
    ? `groundwork had not stopped cleanly (stack process ${state.pid} ended without stopping): ended ${ended.join(' and ')}`
    : undefined;
}

/** The pid Postgres wrote in its data folder, if it is a Postgres server's. */
function postmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  if (!pid) return undefined;
  // A stale file may name a pid some other program has since been given.
  const command = readCommand(pid);
  return command === undefined || /postgres/.test(command) ? pid : undefined;
}

function readCommand(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return existsSync('/proc/self') ? '' : undefined;
  }
}
