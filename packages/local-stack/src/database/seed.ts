import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type pg from 'pg';
import type { StackConfig } from '../config/load-config.ts';
import { resolveProjectPath } from '../config/project-location.ts';
import { StackError } from '../errors.ts';

/** `[db.seed] sql_paths` entries, with `*` globs in the file name expanded in sorted order as the CLI does. */
export function seedFiles(config: StackConfig): string[] {
  const files: string[] = [];
  for (const entry of config.toml.db.seed.sql_paths) {
    const path = resolveProjectPath(config, entry);
    const name = basename(path);
    if (!name.includes('*')) {
      if (existsSync(path)) files.push(path);
      continue;
    }
    const pattern = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    const dir = dirname(path);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) if (pattern.test(file)) files.push(join(dir, file));
  }
  return [...new Set(files)];
}

export async function applySeed(db: pg.Pool, config: StackConfig): Promise<string[]> {
  if (!config.toml.db.seed.enabled) return [];
  const files = seedFiles(config);
  const client = await db.connect();
  try {
    await client.query('begin');
    for (const file of files) {
      try {
        await client.query(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new StackError(
          'seed_failed',
          `${relative(config.workdir, file)}: ${(error as Error).message}`,
          'seed',
          { cause: error },
        );
      }
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return files.map((file) => relative(config.workdir, file));
}
