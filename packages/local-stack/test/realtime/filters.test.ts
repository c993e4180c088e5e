import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realtimeService } from '../../src/services/realtime/index.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';
import { Inbox, realtimeClient, subscribed } from './realtime-clients.ts';

const fixture = new URL('./fixtures/realtime-project', import.meta.url).pathname;

// id, name, score, done, at
const ROWS: [number, string | null, number | null, boolean | null, string | null][] = [
  [1, 'alpha', 1, true, '2024-01-01T00:00:00Z'],
  [2, 'Beta', 5, false, '2024-06-01T00:00:00Z'],
  [3, 'gamma,delta', 10, null, null],
  [4, null, null, true, '2025-01-01T00:00:00Z'],
  [5, 'a_b%c', 7, false, '2024-03-01T00:00:00Z'],
];

/** Every operator, each negated, and AND-ed conditions: filter → ids of ROWS it lets through. */
const ACCEPTED: [string, number[]][] = [
  ['score=eq.5', [2]],
  ['score=neq.5', [1, 3, 5]],
  ['score=lt.5', [1]],
  ['score=lte.5', [1, 2]],
  ['score=gt.5', [3, 5]],
  ['score=gte.5', [2, 3, 5]],
  ['score=in.(1,10)', [1, 3]],
  ['name=like.%a', [1, 2, 3]],
  ['name=ilike.b%', [2]],
  ['name=like.a\\_b\\%c', [5]],
  ['name=match.^g', [3]],
  ['name=imatch.^B', [2]],
  ['done=is.true', [1, 4]],
  ['done=is.false', [2, 5]],
  ['done=is.null', [3]],
  ['name=is.null', [4]],
  ['done=isdistinct.true', [2, 3, 5]],
  ['at=gt.2024-02-01T00:00:00Z', [2, 4, 5]],
  ['name=eq."gamma,delta"', [3]],
  ['score=not.eq.5', [1, 3, 5]],
  ['score=not.neq.5', [2]],
  ['score=not.lt.5', [2, 3, 5]],
  ['score=not.lte.5', [3, 5]],
  ['score=not.gt.5', [1, 2]],
  ['score=not.gte.5', [1]],
  ['score=not.in.(1,10)', [2, 5]],
  ['name=not.like.%a', [5]],
  ['name=not.ilike.b%', [1, 3, 5]],
  ['name=not.match.^g', [1, 2, 5]],
  ['name=not.imatch.^B', [1, 3, 5]],
  ['done=not.is.true', [2, 3, 5]],
  ['name=not.is.null', [1, 2, 3, 5]],
  ['done=not.isdistinct.true', [1, 4]],
  // The example: two conditions on one column, AND-ed (once read as `gte '1,value=lte.5'`).
  ['score=gte.1,score=lte.5', [1, 2]],
  ['name=neq.alpha,done=is.false', [2, 5]],
  ['score=gt.0,name=like.%a,done=not.is.null', [1, 2]],
];

/** Filters refused at join, and the system message (hosted's wording) that says why. */
const REFUSED: [string, string][] = [
  ['undefined', 'Error parsing `filter` params: ["undefined"]'],
  ['score=foo.1', 'Error parsing `filter` params: ["foo", "1"]'],
  ['score=gte1', 'Error parsing `filter` params: ["gte1"]'],
  [
    'score=gt.1,,score=lt.9',
    'Error parsing `filter` params: filter must not contain empty segments (check for extra commas)',
  ],
  ['score=in.1,2', 'Error parsing `filter` params: `in` filter value must be wrapped by parentheses'],
  [
    'done=is.maybe',
    'Error parsing `filter` params: invalid value for is filter: must be null, true, false, or unknown',
  ],
  ['name=match.(', 'Error parsing `filter` params: invalid regular expression for match filter'],
  ['score=gte.1,value=lte.5', 'Exception: invalid column for filter value'],
  ['score=eq.abc', 'Exception: invalid input syntax for type integer: "abc"'],
  ['score=like.1%', 'Exception: operator like requires a text-compatible column type, got integer'],
  ['score=is.true', 'Exception: is true filter requires a boolean column, got integer'],
];

type Change = { new: { id: number } };
type SystemMessage = { extension: string; status: string; message: string };

describe('postgres_changes filters through realtime-js', () => {
  let stack: TestStack;
  let client: SupabaseClient;

  /** A channel with the filtered binding and a sentinel binding on another table. */
  const filteredChannel = (name: string, filter: string) => {
    const rows = new Inbox<Change>();
    const sentinel = new Inbox<Change>();
    const system = new Inbox<SystemMessage>();
    const channel: RealtimeChannel = client
      .channel(name)
      .on('system', {}, system.push as never)
      .on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'filter_rows', filter },
        rows.push as never,
      )
      .on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'filter_sentinels' },
        sentinel.push as never,
      );
    return { channel, rows, sentinel, system };
  };

  beforeAll(async () => {
    stack = await startTestStack({ workdir: fixture, services: [realtimeService] });
    client = realtimeClient(stack.apiUrl, stack.keys.serviceRoleKey);
  });
  afterAll(async () => {
    await client?.removeAllChannels();
    await stack?.stop();
  });

  it('applies every operator, not., and comma-joined AND exactly; refuses what does not parse at join', async () => {
    const accepted = ACCEPTED.map(([filter, ids], index) => ({
      filter,
      ids,
      ...filteredChannel(`ok-${index}`, filter),
    }));
    const refused = REFUSED.map(([filter, message], index) => ({
      filter,
      message,
      ...filteredChannel(`refused-${index}`, filter),
    }));
    for (const entry of [...accepted, ...refused]) await subscribed(entry.channel);
    for (const entry of accepted) {
      const [confirmation] = await entry.system.waitFor(1);
      expect(confirmation, entry.filter).toMatchObject({
        extension: 'postgres_changes',
        status: 'ok',
        message: 'Subscribed to PostgreSQL',
      });
    }
    for (const entry of refused) {
      const [refusal] = await entry.system.waitFor(1);
      expect(refusal, entry.filter).toMatchObject({ extension: 'postgres_changes', status: 'error' });
      expect(refusal?.message, entry.filter).toContain(entry.message);
    }

    for (const [id, name, score, done, at] of ROWS) {
      await stack.db.query('insert into public.filter_rows values ($1, $2, $3, $4, $5)', [
        id,
        name,
        score,
        done,
        at,
      ]);
    }
    // Committed after every row: once a channel has it, any row it was due has arrived too.
    await stack.db.query('insert into public.filter_sentinels values (1)');
    for (const entry of [...accepted, ...refused]) await entry.sentinel.waitFor(1);

    for (const entry of accepted) {
      expect(
        entry.rows.items.map((change) => change.new.id),
        entry.filter,
      ).toEqual(entry.ids);
    }
    for (const entry of refused) expect(entry.rows.items, entry.filter).toEqual([]);
  });

  it('sends only the selected columns (and the primary key) when postgres_changes has `select`', async () => {
    const selected = new Inbox<Record<string, unknown>>();
    const everything = new Inbox<Record<string, unknown>>();
    const keyOnly = new Inbox<Record<string, unknown>>();
    const params = { event: '*', schema: 'public', table: 'filter_rows', filter: 'id=gte.100' } as const;
    // One channel, two selections: each binding gets its own shape.
    const channel = client
      .channel('selected')
      .on('postgres_changes', { ...params, select: ['name', 'done'] } as never, selected.push as never)
      .on('postgres_changes', { ...params, select: [] } as never, keyOnly.push as never);
    await subscribed(channel);
    await subscribed(client.channel('everything').on('postgres_changes', params, everything.push as never));

    await stack.db.query(`insert into public.filter_rows values (100, 'picked', 3, true, now())`);
    await stack.db.query(`update public.filter_rows set name = 'repicked', score = 4 where id = 100`);
    await selected.waitFor(2);
    await keyOnly.waitFor(2);
    await everything.waitFor(2);

    expect(selected.items[0]).toMatchObject({
      eventType: 'INSERT',
      new: { id: 100, name: 'picked', done: true },
    });
    expect(Object.keys(selected.items[0]?.new as object).sort()).toEqual(['done', 'id', 'name']);
    expect(selected.items[1]).toMatchObject({ eventType: 'UPDATE' });
    expect(selected.items[1]?.new).toEqual({ id: 100, name: 'repicked', done: true });
    expect(selected.items[1]?.old).toEqual({ id: 100, name: 'picked', done: true });
    expect(keyOnly.items.map((change) => change.new)).toEqual([{ id: 100 }, { id: 100 }]);
    expect(Object.keys(everything.items[0]?.new as object).sort()).toEqual([
      'at',
      'done',
      'id',
      'name',
      'score',
    ]);
  });

  it('refuses a `select` that is not a list of existing columns, or on a wildcard table', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { event: '*', schema: 'public', table: 'filter_rows', select: 'name' },
        'Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", "col2"]',
      ],
      [
        { event: '*', schema: 'public', table: '*', select: ['name'] },
        'Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.',
      ],
      [
        { event: '*', schema: 'public', table: 'filter_rows', select: ['nope'] },
        'Exception: invalid column for select nope',
      ],
    ];
    for (const [index, [params, message]] of cases.entries()) {
      const system = new Inbox<SystemMessage>();
      await subscribed(
        client
          .channel(`bad-select-${index}`)
          .on('system', {}, system.push as never)
          .on('postgres_changes', params as never, () => {}),
      );
      const [refusal] = await system.waitFor(1);
      expect(refusal).toMatchObject({ extension: 'postgres_changes', status: 'error' });
      expect(refusal?.message).toContain(message);
    }
  });
});
