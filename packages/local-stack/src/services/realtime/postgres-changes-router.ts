import type pg from 'pg';
import type { PostgresChange } from './change-payload.ts';
import { type ChangeFilter, rowMatchesFilter } from './postgres-filter.ts';
import type { RelationCatalog } from './relation-catalog.ts';
import {
  probeVisibility,
  rowKey,
  type Viewer,
  type VisibilityProbe,
  visibilityKey,
} from './row-visibility.ts';

/** One `postgres_changes` entry of a channel's join config. */
export interface ChangeBinding {
  /** Sent back in the join reply; the client routes events by it. */
  id: number;
  event: '*' | 'INSERT' | 'UPDATE' | 'DELETE';
  schema: string;
  table: string | undefined;
  filter: ChangeFilter | undefined;
}

export interface ChangeSubscriber {
  /** Current role and claims (they change when the client refreshes its token). */
  viewer(): Viewer;
  deliverChange(ids: number[], dataJson: string): void;
}

function bindingMatches(binding: ChangeBinding, change: PostgresChange): boolean {
  if (binding.schema !== '*' && binding.schema !== change.info.schema) return false;
  if (binding.table && binding.table !== '*' && binding.table !== change.info.table) return false;
  if (binding.event !== '*' && binding.event !== change.type) return false;
  if (!binding.filter) return true;
  const row = change.type === 'DELETE' ? change.oldRow : change.newRow;
  return row !== null && rowMatchesFilter(binding.filter, row, change.info.columnTypes);
}

interface Candidate {
  subscriber: ChangeSubscriber;
  viewer: Viewer;
  ids: number[];
}

/**
 * Fans committed row changes out to the channels that subscribed to them, after
 * filters, table privileges and RLS, in commit order.
 */
export class PostgresChangesRouter {
  private readonly subscriptions = new Map<ChangeSubscriber, ChangeBinding[]>();

  constructor(
    private readonly db: pg.Pool,
    private readonly catalog: RelationCatalog,
  ) {}

  subscribe(subscriber: ChangeSubscriber, bindings: ChangeBinding[]): void {
    if (bindings.length > 0) this.subscriptions.set(subscriber, bindings);
  }

  unsubscribe(subscriber: ChangeSubscriber): void {
    this.subscriptions.delete(subscriber);
  }

  get size(): number {
    return this.subscriptions.size;
  }

  async deliver(changes: PostgresChange[]): Promise<void> {
    if (this.subscriptions.size === 0 || changes.length === 0) return;
    const perChange: Candidate[][] = [];
    const probes: VisibilityProbe[] = [];
    const needsProbe = new Set<string>();
    for (const change of changes) {
      const candidates: Candidate[] = [];
      for (const [subscriber, bindings] of this.subscriptions) {
        const ids = bindings
          .filter((binding) => bindingMatches(binding, change))
          .map((binding) => binding.id);
        if (ids.length === 0) continue;
        const viewer = subscriber.viewer();
        if (!(await this.catalog.canSelect(viewer.role, change.info))) continue;
        candidates.push({ subscriber, viewer, ids: [...new Set(ids)] });
        // Deletes pass without RLS (the row is gone); hosted strips them to the key instead.
        if (
          change.type !== 'DELETE' &&
          change.info.rlsEnabled &&
          !(await this.catalog.bypassesRls(viewer.role))
        ) {
          probes.push({ change, viewer });
          const key = rowKey(change);
          if (key) needsProbe.add(visibilityKey(viewer, change, key));
        }
      }
      perChange.push(candidates);
    }
    const visible = probes.length > 0 ? await probeVisibility(this.db, probes) : new Set<string>();
    changes.forEach((change, index) => {
      const key = rowKey(change);
      for (const candidate of perChange[index] ?? []) {
        if (change.type !== 'DELETE' && change.info.rlsEnabled) {
          const probeKey = key ? visibilityKey(candidate.viewer, change, key) : undefined;
          // Probed and not seen → hidden. Tables without a primary key can't be probed: hidden.
          if (!probeKey) continue;
          if (needsProbe.has(probeKey) && !visible.has(probeKey)) continue;
        }
        candidate.subscriber.deliverChange(candidate.ids, change.dataJson);
      }
    });
  }
}
