import { spawn } from 'node:child_process';

/**
 * Waits for its standard input to close, which happens when the stack process ends however it
 * ends (kill -9 included), then ends every process left in that process group: SIGINT first
 * (Postgres' fast shutdown; PostgREST and Deno exit on it), SIGKILL after 15 s. After a normal
 * stop the group is already empty and it just exits. It is a shell, not Node, so it costs
 * about a megabyte while it waits.
 */
// POSIX sh: dash (Debian's sh) takes a negative pid for a group but no "--" before it.
const WATCHDOG_SCRIPT = `
read _ignored
kill -INT -"$1" 2>/dev/null || exit 0
waited=0
while kill -0 -"$1" 2>/dev/null; do
  waited=$((waited + 1))
  if [ "$waited" -gt 150 ]; then kill -KILL -"$1" 2>/dev/null; exit 0; fi
  sleep 0.1
done
`;

/**
 * Starts the watchdog for this process's group (this process must lead it, as the stack
 * process does). The watchdog has a session of its own, so the group's end does not take it
 * along before it has done its job; the pipe to it is this process's only hold on it.
 */
export function startStackWatchdog(): number | undefined {
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'groundwork-watchdog', String(process.pid)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => {});
  watchdog.stdin?.on('error', () => {});
  watchdog.unref();
  return watchdog.pid;
}
