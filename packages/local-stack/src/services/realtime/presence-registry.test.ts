import { describe, expect, it } from 'vitest';
import { PresenceRegistry } from './presence-registry.ts';

describe('presence registry', () => {
  it('tracks, updates and untracks with Phoenix-shaped state and diffs', () => {
    const registry = new PresenceRegistry<string>();
    const joined = registry.track('t', 'socket-a', 'ann', { mood: 'ok' });
    const ref = joined.joins.ann?.metas[0]?.phx_ref;
    expect(joined).toEqual({ joins: { ann: { metas: [{ mood: 'ok', phx_ref: ref }] } }, leaves: {} });

    const updated = registry.track('t', 'socket-a', 'ann', { mood: 'great' });
    const newRef = updated.joins.ann?.metas[0]?.phx_ref;
    expect(updated).toEqual({
      joins: { ann: { metas: [{ mood: 'great', phx_ref: newRef, phx_ref_prev: ref }] } },
      leaves: { ann: { metas: [{ mood: 'ok', phx_ref: ref }] } },
    });

    registry.track('t', 'socket-b', 'ann', { mood: 'meh' });
    expect(registry.state('t').ann?.metas).toHaveLength(2);
    expect(registry.untrack('t', 'socket-a')?.leaves.ann?.metas).toEqual([
      { mood: 'great', phx_ref: newRef },
    ]);
    expect(registry.untrack('t', 'socket-a')).toBeUndefined();
    expect(registry.state('other')).toEqual({});
  });
});
