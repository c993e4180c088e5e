import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { StackConfig } from '../config/load-config.ts';
import { vaultKeyFileFor } from '../processes/data-dir.ts';
import { clusterTemplateKey, templateCacheDir } from './cluster-template.ts';
import { migrationFiles } from './migrations.ts';
import { seedFiles } from './seed.ts';

const run = promisify(execFile);

/**
 * How many templates are kept (each a stopped cluster, ~50 MB); the least recently used go.
 * Enough for a test suite's fixture projects to keep theirs between runs.
 */
const KEPT_TEMPLATES = 12;

/**
 * What a migrated and seeded database is made of, by content: the pristine cluster (server,
 * bootstrap, extension files), every migration file (name and text) and every seed file, and
 * whether each step is switched on. The same key means the same database, so it can be copied
 * instead of made; any change to one of these makes a new key and so a new template.
 */
export function projectTemplateKey(config: StackConfig): string {
  const hash = createHash('sha256');
  hash.update(`cluster ${clusterTemplateKey()}\0`);
  const { migrations, seed } = config.toml.db;
  hash.update(`migrations ${migrations.enabled}\0`);
  if (migrations.enabled) {
    for (const { file } of migrationFiles(config.supabaseDir)) {
      hash.update(`${file}\0${readFileSync(join(config.supabaseDir, 'migrations', file))}\0`);
    }
  }
  hash.update(`seed ${seed.enabled}\0`);
  if (seed.enabled) {
    for (const file of seedFiles(config)) {
      hash.update(`${relative(config.workdir, file)}\0${readFileSync(file)}\0`);
    }
  }
  return hash.digest('hex').slice(0, 24);
}

function templateFolder(key: string): string {
  return join(templateCacheDir(), `database-${key}`);
}

/** Whether a template exists for this key (a stopped cluster with its Vault key). */
export function hasProjectTemplate(key: string): boolean {
  return existsSync(join(templateFolder(key), 'postgres', 'PG_VERSION'));
}

/**
 * Makes `dataDir` a copy of the template: the cluster (`cp -a` keeps the postgres OS user's
 * ownership and 0700 modes) and the Vault key its seeded secrets are encrypted under.
 */
export async function restoreProjectTemplate(key: string, dataDir: string): Promise<void> {
  const folder = templateFolder(key);
  // Marked used first: pruning keeps the templates used last, so not one being copied now.
  const now = new Date();
  utimesSync(folder, now, now);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dirname(dataDir), { recursive: true });
  await run('cp', ['-a', join(folder, 'postgres'), dataDir]);
  const vaultKey = join(folder, 'vault.key');
  if (existsSync(vaultKey)) copyFileSync(vaultKey, vaultKeyFileFor(dataDir));
}

/**
 * Keeps a copy of the stopped cluster in `dataDir` (just migrated and seeded) as the template
 * for `key`. Built under a temporary name and renamed, so a parallel start never sees half a
 * template; if another start saved the same key first, theirs is kept.
 */
export async function saveProjectTemplate(key: string, dataDir: string): Promise<void> {
  const target = templateFolder(key);
  const building = `${target}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  try {
    await run('cp', ['-a', dataDir, join(building, 'postgres')]);
    // A copy holds no server: a pid file would only make the next server check for it.
    rmSync(join(building, 'postgres', 'postmaster.pid'), { force: true });
    const vaultKey = vaultKeyFileFor(dataDir);
    if (existsSync(vaultKey)) copyFileSync(vaultKey, join(building, 'vault.key'));
    try {
      renameSync(building, target);
    } catch {
      // Another process saved the same template first.
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  pruneProjectTemplates(target);
}

function pruneProjectTemplates(keep: string): void {
  const root = templateCacheDir();
  const templates = readdirSync(root)
    .filter((entry) => entry.startsWith('database-') && !entry.includes('.building-'))
    .map((entry) => join(root, entry))
    .filter((path) => path !== keep)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of templates.slice(KEPT_TEMPLATES - 1)) rmSync(old, { recursive: true, force: true });
}
