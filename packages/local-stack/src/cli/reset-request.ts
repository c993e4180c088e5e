import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StackErrorCode } from '../errors.ts';

/**
 * How `groundwork reset` asks the running stack process to recreate its database in place:
 * it writes a request naming an id, sends SIGUSR2, and waits for the result with that id. A
 * signal carries no data and no answer, so both travel as files in the state folder.
 */
export const RESET_SIGNAL = 'SIGUSR2';

export interface ResetResult {
  id: string;
  ok: boolean;
  ms: number;
  code?: StackErrorCode;
  message?: string;
}

const requestFile = (at: { stateDir: string }) => join(at.stateDir, 'reset-request.json');
const resultFile = (at: { stateDir: string }) => join(at.stateDir, 'reset-result.json');

function writeWhole(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  renameSync(`${file}.tmp`, file);
}

/** In the stack process: the id of the request the signal was for. */
export function readResetRequest(at: { stateDir: string }): string | undefined {
  try {
    return (JSON.parse(readFileSync(requestFile(at), 'utf8')) as { id: string }).id;
  } catch {
    return undefined;
  }
}

export function writeResetResult(at: { stateDir: string }, result: ResetResult): void {
  writeWhole(resultFile(at), result);
}

/** In the CLI: asks the stack process `pid` and waits for its answer (or its end). */
export async function requestReset(
  at: { stateDir: string },
  pid: number,
  isAlive: (pid: number) => boolean,
): Promise<ResetResult> {
  const id = crypto.randomUUID();
  rmSync(resultFile(at), { force: true });
  writeWhole(requestFile(at), { id });
  process.kill(pid, RESET_SIGNAL);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (existsSync(resultFile(at))) {
      try {
        const result = JSON.parse(readFileSync(resultFile(at), 'utf8')) as ResetResult;
        if (result.id === id) return result;
      } catch {
        // Being replaced; read again.
      }
    }
    if (!isAlive(pid)) {
      return {
        id,
        ok: false,
        ms: 0,
        code: 'not_running',
        message: 'the stack process ended during the reset',
      };
    }
    await sleep(10);
  }
  return {
    id,
    ok: false,
    ms: 0,
    code: 'service_failed',
    message: 'the stack process did not answer within 120 s',
  };
}
