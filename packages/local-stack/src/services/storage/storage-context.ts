import type pg from 'pg';
import type { ProjectKeys } from '../../config/project-keys.ts';
import type { Logger } from '../../logger.ts';
import type { DiskStore } from './disk-store.ts';
import type { ImageRenderer } from './images/image-renderer.ts';

/** What every Storage route needs, built once when the service starts. */
export interface StorageContext {
  db: pg.Pool;
  keys: ProjectKeys;
  store: DiskStore;
  log: Logger;
  /** config.toml `[storage] file_size_limit`, in bytes: no upload may exceed it. */
  globalFileSizeLimit: number;
  /** Image transformations; absent when config.toml switches them off (the routes are then unknown). */
  images: ImageRenderer | undefined;
}
