import { describe, expect, it } from 'vitest';
import { changeBindingsOf, parseJoinConfig } from './join-config.ts';

describe('postgres_changes join params', () => {
  it("reads the event as hosted's action filter: any case, anything unknown is every event", () => {
    const { bindings, invalid } = changeBindingsOf([
      { event: 'insert', schema: 'public', table: 't' },
      { event: 'whatever', schema: 'public', table: 't' },
      { schema: 'public', table: 't' },
    ]);
    expect(invalid).toEqual([]);
    expect(bindings.map((binding) => binding.event)).toEqual(['INSERT', '*', '*']);
  });

  it('reads broadcast.replay with hosted defaults and cap, and flags params that are not integers', () => {
    const replay = (value: unknown) => parseJoinConfig({ config: { broadcast: { replay: value } } }).replay;
    expect(replay({})).toEqual({ since: 0, limit: 10, valid: true });
    expect(replay({ since: 5, limit: 100 })).toEqual({ since: 5, limit: 25, valid: true });
    expect(replay({ since: 'yesterday' })?.valid).toBe(false);
    expect(parseJoinConfig({ config: {} }).replay).toBeUndefined();
  });
});
