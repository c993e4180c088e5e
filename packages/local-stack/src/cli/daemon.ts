/**
 * The process that runs the stack: `node daemon.js <workdir>`, in its own process group, with
 * the validated config on stdin (see daemon-config.ts; the workdir argument names the project in
 * process listings). `groundwork start` leaves it in the background writing to the state folder's
 * stack.log; `groundwork dev` shows its output in the terminal and tells it to stop on Ctrl-C.
 */
import { createLogger } from '../logger.ts';
import { readDaemonConfig } from './daemon-config.ts';
import { print } from './print.ts';
import { reportError } from './report-error.ts';
import { runStack } from './run-stack.ts';

try {
  const config = readDaemonConfig();
  await runStack(config, createLogger('groundwork'), print);
} catch (error) {
  reportError(error);
  process.exit(1);
}
