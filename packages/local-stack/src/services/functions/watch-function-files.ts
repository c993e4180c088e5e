import { existsSync, type FSWatcher, watch } from 'node:fs';
import { sep } from 'node:path';
import type { Logger } from '../../logger.ts';

/** Which functions a change affects: one by name, or all of them (shared code, `.env`, import map). */
export type FunctionFilesChange = { name: string } | { all: true };

/** Maps a path relative to `supabase/functions/` to the functions it affects. */
export function changeOf(relativePath: string): FunctionFilesChange {
  const first = relativePath.split(/[\\/]/)[0] ?? '';
  // A function folder is named like the function; anything else is shared by all.
  if (first !== '' && !first.startsWith('_') && !first.startsWith('.') && !first.includes('.')) {
    return { name: first };
  }
  return { all: true };
}

const DEBOUNCE_MS = 80;

/**
 * Watches `supabase/functions/` and reports edits, debounced so an editor's burst of
 * writes reloads a function once.
 */
export function watchFunctionFiles(
  functionsDir: string,
  onChange: (change: FunctionFilesChange) => void,
  log: Logger,
): { close(): void } {
  if (!existsSync(functionsDir)) return { close() {} };
  const pending = new Map<string, NodeJS.Timeout>();
  let watcher: FSWatcher;
  try {
    watcher = watch(functionsDir, { recursive: true }, (_event, filename) => {
      const change = changeOf(filename ? String(filename).split(sep).join('/') : '');
      const key = 'name' in change ? change.name : '*';
      clearTimeout(pending.get(key));
      pending.set(
        key,
        setTimeout(() => {
          pending.delete(key);
          onChange(change);
        }, DEBOUNCE_MS),
      );
    });
  } catch (error) {
    log.warn(`cannot watch ${functionsDir} (${(error as Error).message}); edits need a restart`);
    return { close() {} };
  }
  watcher.on('error', (error) => log.warn(`watching ${functionsDir}: ${error.message}`));
  return {
    close() {
      for (const timer of pending.values()) clearTimeout(timer);
      watcher.close();
    },
  };
}
