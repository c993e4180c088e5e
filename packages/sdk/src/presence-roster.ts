/**
 * Who is on a presence channel, kept from the channel's own join and leave events rather than
 * from `channel.presenceState()`. Every meta Realtime sends carries a ref, and a leave names the
 * refs it removes; supabase-js 2.109 (ours) deletes the refs of the metas it holds while it
 * builds those events (supabase/supabase-js#2565; 2.119 has the fix), so its state never drops a
 * meta that was replaced: after someone updated what they share and left, they stayed on
 * everyone's board. The events themselves keep their refs, so this roster stays right with
 * either version.
 */
import type { RealtimeChannel } from '@supabase/supabase-js';

export interface RosterMember {
  user_id: string;
  state: Record<string, unknown>;
}

export interface Roster {
  /** One entry per presence key (a person), with the state they shared last. */
  members(): RosterMember[];
}

type Meta = Record<string, unknown> & { presence_ref?: unknown };

/** Starts keeping the roster of `channel`; call before subscribing. `onSync` runs after each change. */
export function keepRoster(channel: RealtimeChannel, onSync: (roster: Roster) => void): Roster {
  // Presence key → meta ref → what that meta shares, in the order they joined.
  const present = new Map<string, Map<string, Record<string, unknown>>>();
  const metasOf = (key: string) => {
    let metas = present.get(key);
    if (!metas) {
      metas = new Map();
      present.set(key, metas);
    }
    return metas;
  };
  const roster: Roster = {
    members: () =>
      [...present].flatMap(([user_id, metas]) => {
        // One person may be on the board from several tabs; the latest state wins.
        const latest = [...metas.values()].at(-1);
        return latest ? [{ user_id, state: latest }] : [];
      }),
  };
  channel.on('presence', { event: 'join' }, ({ key, newPresences }) => {
    for (const { presence_ref, ...state } of newPresences as Meta[]) {
      if (typeof presence_ref === 'string') metasOf(key).set(presence_ref, state);
    }
  });
  channel.on('presence', { event: 'leave' }, ({ key, leftPresences }) => {
    const metas = present.get(key);
    for (const { presence_ref } of leftPresences as Meta[]) {
      if (typeof presence_ref === 'string') metas?.delete(presence_ref);
    }
    if (metas?.size === 0) present.delete(key);
  });
  channel.on('presence', { event: 'sync' }, () => {
    // A key supabase-js no longer lists at all (a resync after a reconnect) is gone here too.
    const listed = channel.presenceState();
    for (const key of present.keys()) if (!(key in listed)) present.delete(key);
    onSync(roster);
  });
  return roster;
}
