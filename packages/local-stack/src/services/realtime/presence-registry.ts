import { randomBytes } from 'node:crypto';

/**
 * Who is present on each topic, in Phoenix Presence's wire shape: a state maps each
 * presence key to `{ metas: [{ phx_ref, ...meta }] }`, and a diff lists `joins` and
 * `leaves` in the same shape. Each joined channel holds at most one presence, as on
 * hosted Realtime (track again = update).
 */

export type PresenceMeta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
export type PresenceState = Record<string, { metas: PresenceMeta[] }>;
export interface PresenceDiff {
  joins: PresenceState;
  leaves: PresenceState;
}

interface Entry {
  key: string;
  ref: string;
  meta: Record<string, unknown>;
}

function newRef(): string {
  return randomBytes(9).toString('base64url');
}

function addMeta(state: PresenceState, key: string, meta: PresenceMeta) {
  const existing = state[key];
  if (existing) existing.metas.push(meta);
  else state[key] = { metas: [meta] };
}

export class PresenceRegistry<Member> {
  private readonly topics = new Map<string, Map<Member, Entry>>();

  /** Current state of a topic, to send as `presence_state` to a channel that joins. */
  state(topic: string): PresenceState {
    const state: PresenceState = {};
    for (const entry of this.topics.get(topic)?.values() ?? []) {
      addMeta(state, entry.key, { ...entry.meta, phx_ref: entry.ref });
    }
    return state;
  }

  /** Tracks (or updates) a member's presence; returns the diff to broadcast. */
  track(topic: string, member: Member, key: string, meta: Record<string, unknown>): PresenceDiff {
    let members = this.topics.get(topic);
    if (!members) {
      members = new Map();
      this.topics.set(topic, members);
    }
    const previous = members.get(member);
    const entry: Entry = { key, ref: newRef(), meta };
    members.set(member, entry);
    const diff: PresenceDiff = { joins: {}, leaves: {} };
    const joined: PresenceMeta = { ...meta, phx_ref: entry.ref };
    if (previous) {
      joined.phx_ref_prev = previous.ref;
      addMeta(diff.leaves, previous.key, { ...previous.meta, phx_ref: previous.ref });
    }
    addMeta(diff.joins, key, joined);
    return diff;
  }

  /** Removes a member's presence; returns the diff, or undefined if it had none. */
  untrack(topic: string, member: Member): PresenceDiff | undefined {
    const members = this.topics.get(topic);
    const entry = members?.get(member);
    if (!members || !entry) return undefined;
    members.delete(member);
    if (members.size === 0) this.topics.delete(topic);
    const diff: PresenceDiff = { joins: {}, leaves: {} };
    addMeta(diff.leaves, entry.key, { ...entry.meta, phx_ref: entry.ref });
    return diff;
  }
}
