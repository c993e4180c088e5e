import { StackError } from '../errors.ts';
import { type DaemonState, readDaemonState } from './daemon-state.ts';

/** The running stack's state, for commands that need one; says how to start it otherwise. */
export function runningStack(at: { stateDir: string }, step: string): DaemonState {
  const state = readDaemonState(at);
  if (!state) {
    throw new StackError('not_running', 'groundwork is not running; "groundwork start" first', step);
  }
  return state;
}
