import { execFile, spawn } from 'node:child_process';
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
 * How many templates are kept (each a stopped cluster, ~50 MB, and its spare); the least
 * recently used go. Enough for this repo's suite, whose test stacks use some twenty fixture
 * projects, to keep theirs between runs (fewer would evict one the same run needs again).
 */
const KEPT_TEMPLATES = 32;

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
 * Copies of a template's cluster made ahead, so a cold start renames one into its data folder
 * (instant on one filesystem) instead of copying ~50–75 MB on its path (0.3–3.5 s here under
 * load). One is made again in the background after each start that used the template.
 */
const SPARE_CLUSTERS = 1;
/** A spare being made whose maker died is left half-made; after this long it is swept. */
const ABANDONED_SPARE_MS = 10 * 60 * 1000;

function sparesFolder(key: string): string {
  return join(templateFolder(key), 'spares');
}

/** The finished spares of `key`; half-made ones left by a maker that died are swept. */
function listSpareClusters(key: string): string[] {
  const folder = sparesFolder(key);
  if (!existsSync(folder)) return [];
  const ready: string[] = [];
  for (const entry of readdirSync(folder)) {
    const path = join(folder, entry);
    if (!entry.startsWith('.making-')) ready.push(path);
    else if (Date.now() - statSync(path).mtimeMs > ABANDONED_SPARE_MS)
      rmSync(path, { recursive: true, force: true });
  }
  return ready;
}

/**
 * Whether `dataDir` (whose parent exists) is on the template's filesystem: only there can a spare
 * be renamed into it. A data folder elsewhere (a test stack's in /dev/shm) is copied to instead.
 */
function onTemplateFilesystem(key: string, dataDir: string): boolean {
  return statSync(dirname(dataDir)).dev === statSync(templateFolder(key)).dev;
}

/** Renames a spare to `dataDir`; false when none is left (or it lives on another filesystem). */
function claimSpareCluster(key: string, dataDir: string): boolean {
  if (!onTemplateFilesystem(key, dataDir)) return false;
  for (const spare of listSpareClusters(key)) {
    try {
      renameSync(spare, dataDir);
      return true;
    } catch (error) {
      // ENOENT: another start claimed it first. EXDEV: the data folder is on another filesystem.
      if ((error as NodeJS.ErrnoException).code === 'EXDEV') return false;
    }
  }
  return false;
}

/**
 * Makes `dataDir` a copy of the template: a spare renamed when there is one, else the cluster
 * copied now (`cp -a` keeps the postgres OS user's ownership and 0700 modes); with the Vault
 * key its seeded secrets are encrypted under.
 */
export async function restoreProjectTemplate(key: string, dataDir: string): Promise<void> {
  const folder = templateFolder(key);
  // Marked used first: pruning keeps the templates used last, so not one being copied now.
  const now = new Date();
  utimesSync(folder, now, now);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dirname(dataDir), { recursive: true });
  if (!claimSpareCluster(key, dataDir)) await run('cp', ['-a', join(folder, 'postgres'), dataDir]);
  const vaultKey = join(folder, 'vault.key');
  if (existsSync(vaultKey)) copyFileSync(vaultKey, vaultKeyFileFor(dataDir));
}

/**
 * Tops up the template's spare clusters after a start that copied the template into `dataDir`,
 * in a detached process of its own (`cp -a` to a temporary name, then a rename, so a half-made
 * spare is never claimed): neither the stack's start nor its stop waits for it, and it finishes
 * even if this process ends first. Only for a data folder on the template's filesystem: the
 * starts elsewhere (test stacks in /dev/shm) copy anyway, and a spare made after them would cost
 * a copy that only a start on this filesystem could ever use.
 */
export function replenishSpareClusters(key: string, dataDir: string): void {
  if (!hasProjectTemplate(key) || !onTemplateFilesystem(key, dataDir)) return;
  const have = listSpareClusters(key).length;
  if (have >= SPARE_CLUSTERS) return;
  const folder = sparesFolder(key);
  mkdirSync(folder, { recursive: true });
  const id = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const making = join(folder, `.making-${id}`);
  const child = spawn(
    'sh',
    [
      '-c',
      'cp -a "$1" "$2" && mv "$2" "$3" || rm -rf "$2"',
      'sh',
      join(templateFolder(key), 'postgres'),
      making,
      join(folder, id),
    ],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  child.on('error', () => {});
  child.unref();
}

/**
 * Keeps a copy of the stopped cluster in `dataDir` (just migrated and seeded) as the template
 * for `key`. Built under a temporary name and renamed, so a parallel start never sees half a
 * template; if another start saved the same key first, theirs is kept.
 */
export async function saveProjectTemplate(key: string, dataDir: string): Promise<void> {
  const target = templateFolder(key);
  const building = `${target}.building-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
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
  // A template being built by a start that died is left half-made; swept once surely abandoned.
  for (const entry of readdirSync(root)) {
    const path = join(root, entry);
    if (entry.includes('.building-') && Date.now() - statSync(path).mtimeMs > ABANDONED_SPARE_MS) {
      rmSync(path, { recursive: true, force: true });
    }
  }
  const templates = readdirSync(root)
    .filter((entry) => entry.startsWith('database-') && !entry.includes('.building-'))
    .map((entry) => join(root, entry))
    .filter((path) => path !== keep)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of templates.slice(KEPT_TEMPLATES - 1)) rmSync(old, { recursive: true, force: true });
}
