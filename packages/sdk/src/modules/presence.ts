import type { RealtimeChannel } from '@supabase/supabase-js';
import type { SdkContext } from '../context.ts';
import { keepRoster, type Roster } from '../presence-roster.ts';
import { parseInput } from '../query-result.ts';
import { joinChannel } from '../realtime-channel.ts';
import { id as idSchema } from '../schemas/fields.ts';

/** What each person on a board shares, plus who they are. */
export type PresenceState = Record<string, unknown>;
export interface PresentMember {
  user_id: string;
  state: PresenceState;
}

/** Your place on a project board, from {@link PresenceApi.joinProject}. */
export interface ProjectPresence {
  /**
   * Everyone currently on the board (you included), one entry per person.
   *
   * @example
   * ```ts
   * const viewers = board.members().map((m) => m.user_id);
   * ```
   */
  members(): PresentMember[];
  /**
   * Calls back whenever someone joins, leaves or changes state; returns a function that stops it.
   *
   * @example
   * ```ts
   * const stop = board.onChange((members) => renderAvatars(members));
   * ```
   */
  onChange(callback: (members: PresentMember[]) => void): () => void;
  /**
   * Replaces what you share (e.g. the task you are looking at).
   *
   * @example
   * ```ts
   * await board.update({ viewing: 'ENG-43' });
   * ```
   */
  update(state: PresenceState): Promise<void>;
  /**
   * Leaves the board; the others see you go.
   *
   * @example
   * ```ts
   * await board.leave();
   * ```
   */
  leave(): Promise<void>;
}

export type PresenceApi = ReturnType<typeof createPresenceApi>;

/**
 * One board's channel, shared by every join of it on one client. supabase-js hands out one
 * channel per topic, and the topic must be exactly `project:<id>` (Realtime's policy checks it),
 * so two joins cannot have channels of their own: they count on this one, and it is left when
 * the last of them leaves. Without the count, leaving one join (React's development
 * mount-unmount-mount) took the other's channel with it.
 */
interface SharedBoard {
  channel: RealtimeChannel;
  roster: Roster;
  /** Settles when Realtime has confirmed the join and the first state is tracked. */
  joined: Promise<void>;
  /** The `onChange` callbacks of each join still on the board. */
  joins: Set<Set<(members: PresentMember[]) => void>>;
}

/** Per supabase-js client (its channels are per client): open boards, and boards being left. */
const openBoards = new WeakMap<object, Map<string, SharedBoard>>();
const leavingBoards = new WeakMap<object, Map<string, Promise<unknown>>>();

function perClient<V>(map: WeakMap<object, Map<string, V>>, client: object): Map<string, V> {
  let boards = map.get(client);
  if (!boards) {
    boards = new Map();
    map.set(client, boards);
  }
  return boards;
}

/** Who is on a project board right now, over the project's private Realtime channel. */
export function createPresenceApi(ctx: SdkContext) {
  const open = perClient(openBoards, ctx.supabase);
  const leaving = perClient(leavingBoards, ctx.supabase);

  function openBoard(topic: string, userId: string, state: PresenceState): SharedBoard {
    const channel = ctx.supabase.channel(topic, { config: { private: true, presence: { key: userId } } });
    const joins: SharedBoard['joins'] = new Set();
    const roster = keepRoster(channel, () => {
      const current = roster.members();
      for (const listeners of joins) for (const listener of listeners) listener(current);
    });
    const board: SharedBoard = {
      channel,
      roster,
      joins,
      joined: joinChannel(ctx, channel).then(async () => {
        await channel.track(state);
      }),
    };
    // A refused join (joinChannel removes its channel) leaves nothing behind for the next one.
    board.joined.catch(() => {
      if (open.get(topic) === board) open.delete(topic);
    });
    open.set(topic, board);
    return board;
  }

  return {
    /**
     * Joins a project's board as the signed-in user, sharing `state`. Only members of the
     * project's workspace may join (`forbidden` otherwise). Joining the same board again on the
     * same client (two components, or React's development double mount) shares one place on
     * it: each join has its own `onChange` and `leave`, the latest `state` or `update` is what
     * the others see, and you leave the board when the last join leaves.
     *
     * @example
     * ```ts
     * const board = await gw.presence.joinProject(projectId, { viewing: taskId });
     * board.onChange((members) => renderAvatars(members.map((m) => m.user_id)));
     * await board.update({ viewing: otherTaskId });
     * await board.leave();
     * ```
     */
    async joinProject(projectId: string, state: PresenceState = {}): Promise<ProjectPresence> {
      const id = parseInput(idSchema, projectId);
      const userId = await ctx.currentUserId();
      const topic = `project:${id}`;
      // A board still being left keeps its channel in supabase-js until Realtime confirms:
      // wait for that, or supabase-js would hand the closing channel back.
      let board = open.get(topic);
      let opened = false;
      while (!board) {
        const closing = leaving.get(topic);
        if (!closing) {
          board = openBoard(topic, userId, state);
          opened = true;
          break;
        }
        await closing.catch(() => undefined);
        board = open.get(topic);
      }
      const shared = board;
      const listeners = new Set<(members: PresentMember[]) => void>();
      shared.joins.add(listeners);
      try {
        await shared.joined;
        // The board was open already: this join's state is the latest.
        if (!opened) await shared.channel.track(state);
      } catch (error) {
        shared.joins.delete(listeners);
        throw error;
      }
      let left = false;
      return {
        members: () => shared.roster.members(),
        onChange(callback) {
          listeners.add(callback);
          return () => listeners.delete(callback);
        },
        async update(next) {
          await shared.channel.track(next);
        },
        async leave() {
          if (left) return;
          left = true;
          listeners.clear();
          shared.joins.delete(listeners);
          if (shared.joins.size > 0) return;
          if (open.get(topic) === shared) open.delete(topic);
          const removal = (async () => {
            await shared.channel.untrack();
            await ctx.supabase.removeChannel(shared.channel);
          })();
          leaving.set(topic, removal);
          try {
            await removal;
          } finally {
            if (leaving.get(topic) === removal) leaving.delete(topic);
          }
        },
      };
    },
  };
}
