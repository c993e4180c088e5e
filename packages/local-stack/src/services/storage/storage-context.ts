import type pg from 'pg';
import type { ProjectKeys } from '../../config/project-keys.ts';
import type { Logger } from '../../logger.ts';
import type { DiskStore } from './disk-store.ts';

/** What every Storage route needs, built once when the service starts. */
export interface StorageContext {
  db: pg.Pool;
  keys: ProjectKeys;
  store: DiskStore;
  log: Logger;
  /** config.toml `[storage] file_size_limit`, in bytes: no upload may exceed it. */
  globalFileSizeLimit: number;
}
