import type pg from 'pg';
import type { PostgresChange } from './change-payload.ts';
import { type ChangeFilter, rowMatchesFilters } from './postgres-filter.ts';
import type { RelationCatalog, RelationInfo } from './relation-catalog.ts';
import { type ProbeGroup, rowKeyOf, type Viewer, VisibilityBatch } from './row-visibility.ts';

/** One `postgres_changes` entry of a channel's join config. */
export interface ChangeBinding {
  /** Sent back in the join reply; the client routes events by it. */
  id: number;
  event: '*' | 'INSERT' | 'UPDATE' | 'DELETE';
  schema: string;
  table: string | undefined;
  /** AND-ed conditions; empty for none. */
  filters: ChangeFilter[];
  /** `select`: the columns the payload carries (plus the primary key); undefined for all. */
  select: string[] | undefined;
  /** Identifies `select` (sorted, deduplicated), so one selection is encoded once. */
  selectKey: string | undefined;
}

export interface ChangeSubscriber {
  /** Current role and claims (they change when the client refreshes its token). */
  viewer(): Viewer;
  deliverChange(ids: number[], data: Buffer): void;
}

function bindingMatches(binding: ChangeBinding, change: PostgresChange): boolean {
  if (binding.schema !== '*' && binding.schema !== change.info.schema) return false;
  if (binding.table && binding.table !== '*' && binding.table !== change.info.table) return false;
  if (binding.event !== '*' && binding.event !== change.type) return false;
  if (binding.filters.length === 0) return true;
  const row = change.type === 'DELETE' ? change.oldRow : change.newRow;
  return row !== null && rowMatchesFilters(binding.filters, row, change.info.columnTypes);
}

/** The bindings of one subscriber that a change matched, for one column selection. */
interface Matched {
  ids: number[];
  select: string[] | undefined;
  selectKey: string | undefined;
}

interface Delivery {
  subscriber: ChangeSubscriber;
  ids: number[];
  select: string[] | undefined;
  selectKey: string | undefined;
  /** Set when RLS decides: deliver only if the probe saw the row. */
  probe: ProbeGroup | undefined;
}

interface SubscriberState {
  subscriber: ChangeSubscriber;
  bindings: ChangeBinding[];
  viewer: Viewer;
  identity: number;
  bypassesRls: boolean;
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
    // Per batch, not per change: viewers, their shared identities and role facts, so the
    // loop over changes × subscribers below never waits.
    const identities = new Map<string, number>();
    const roleBypasses = new Map<string, boolean>();
    const states: SubscriberState[] = [];
    for (const [subscriber, bindings] of this.subscriptions) {
      const viewer = subscriber.viewer();
      let identity = identities.get(viewer.identityKey);
      if (identity === undefined) {
        identity = identities.size;
        identities.set(viewer.identityKey, identity);
      }
      let bypassesRls = roleBypasses.get(viewer.role);
      if (bypassesRls === undefined) {
        bypassesRls = await this.catalog.bypassesRls(viewer.role);
        roleBypasses.set(viewer.role, bypassesRls);
      }
      states.push({ subscriber, bindings, viewer, identity, bypassesRls });
    }
    // Table privileges per role and changed table.
    const selectable = new Map<RelationInfo, Map<string, boolean>>();
    for (const change of changes) {
      if (selectable.has(change.info)) continue;
      const byRole = new Map<string, boolean>();
      for (const role of roleBypasses.keys())
        byRole.set(role, await this.catalog.canSelect(role, change.info));
      selectable.set(change.info, byRole);
    }

    const batch = new VisibilityBatch();
    const perChange: Delivery[][] = [];
    const rowKeys: (string | undefined)[] = [];
    for (const change of changes) {
      const deliveries: Delivery[] = [];
      const rowKey = rowKeyOf(change);
      rowKeys.push(rowKey);
      // Deletes pass without RLS (the row is gone); hosted strips them to the key instead.
      const needsRls = change.type !== 'DELETE' && change.info.rlsEnabled;
      const roleMaySelect = selectable.get(change.info);
      for (const state of states) {
        // Nearly always one selection per subscriber (kept allocation-free: this loop runs
        // changes × subscribers); bindings with other `select`s get a frame each, as hosted.
        let ids: number[] | undefined;
        let first: ChangeBinding | undefined;
        let others: Matched[] | undefined;
        for (const binding of state.bindings) {
          if (!bindingMatches(binding, change)) continue;
          if (!first || !ids) {
            first = binding;
            ids = [binding.id];
          } else if (binding.selectKey === first.selectKey) {
            if (!ids.includes(binding.id)) ids.push(binding.id);
          } else {
            others ??= [];
            const group = others.find((candidate) => candidate.selectKey === binding.selectKey);
            if (!group)
              others.push({ ids: [binding.id], select: binding.select, selectKey: binding.selectKey });
            else if (!group.ids.includes(binding.id)) group.ids.push(binding.id);
          }
        }
        if (!first || !ids || !roleMaySelect?.get(state.viewer.role)) continue;
        let probe: ProbeGroup | undefined;
        if (needsRls && !state.bypassesRls) {
          // A table without a primary key can't be probed: nothing is shown.
          if (!rowKey) continue;
          probe = batch.request(state.viewer, state.identity, change, rowKey);
        }
        deliveries.push({
          subscriber: state.subscriber,
          ids,
          select: first.select,
          selectKey: first.selectKey,
          probe,
        });
        for (const group of others ?? []) deliveries.push({ subscriber: state.subscriber, ...group, probe });
      }
      perChange.push(deliveries);
    }
    await batch.run(this.db);
    changes.forEach((change, index) => {
      const rowKey = rowKeys[index];
      for (const delivery of perChange[index] ?? []) {
        if (delivery.probe && !(rowKey && delivery.probe.visible.has(rowKey))) continue;
        const data =
          delivery.select && delivery.selectKey !== undefined
            ? change.selected(delivery.select, delivery.selectKey)
            : change.data;
        delivery.subscriber.deliverChange(delivery.ids, data);
      }
    });
  }
}
