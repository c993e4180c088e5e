import type { SdkContext } from '../context.ts';
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

/** Who is on a project board right now, over the project's private Realtime channel. */
export function createPresenceApi(ctx: SdkContext) {
  return {
    /**
     * Joins a project's board as the signed-in user, sharing `state`. Only members of the
     * project's workspace may join (`forbidden` otherwise).
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
      const listeners = new Set<(members: PresentMember[]) => void>();
      const channel = ctx.supabase.channel(`project:${id}`, {
        config: { private: true, presence: { key: userId } },
      });
      const members = (): PresentMember[] =>
        Object.entries(channel.presenceState()).map(([user_id, metas]) => {
          // One person may be on the board from several tabs; the latest state wins.
          const { presence_ref: _ref, ...latest } = (metas[metas.length - 1] ?? {}) as Record<
            string,
            unknown
          >;
          return { user_id, state: latest };
        });
      channel.on('presence', { event: 'sync' }, () => {
        const current = members();
        for (const listener of listeners) listener(current);
      });
      await joinChannel(ctx, channel);
      await channel.track(state);
      return {
        members,
        onChange(callback) {
          listeners.add(callback);
          return () => listeners.delete(callback);
        },
        async update(next) {
          await channel.track(next);
        },
        async leave() {
          listeners.clear();
          await channel.untrack();
          await ctx.supabase.removeChannel(channel);
        },
      };
    },
  };
}
