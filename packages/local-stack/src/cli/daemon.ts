/**
 * The process that runs the stack: `node daemon.js <workdir>`, in its own process group.
 * `groundwork start` leaves it in the background writing to the state folder's stack.log;
 * `groundwork dev` shows its output in the terminal and tells it to stop on Ctrl-C.
 */
import { loadConfig } from '../config/load-config.ts';
import { createLogger } from '../logger.ts';
import { print } from './print.ts';
import { reportError } from './report-error.ts';
import { runStack } from './run-stack.ts';

const [workdir] = process.argv.slice(2);
try {
  const config = loadConfig(workdir ? { workdir } : {});
  await runStack(config, createLogger('groundwork'), print);
} catch (error) {
  reportError(error);
  process.exit(1);
}
