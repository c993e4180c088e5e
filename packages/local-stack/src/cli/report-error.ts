import { isStackError } from '../errors.ts';

/** A failure as one line naming the step (a StackError), or the stack trace of a bug. */
export function reportError(error: unknown): void {
  if (isStackError(error)) {
    process.stderr.write(`error${error.step ? ` [${error.step}]` : ''}: ${error.message}\n`);
  } else {
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
  }
}
