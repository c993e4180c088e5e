/**
 * The modules `createGroundworkClient` loads lazily (billing, apiKeys, roles, audit, trash…):
 * `gw.x` exists at once with every method of the module, the first call loads the module's code
 * and answers as the module does — data, `not_found` for a non-member (the same for a random id),
 * `validation_failed` before any request — and a failed load is retried on the next call.
 * That a bundler puts them in chunks of their own is measured by `npm run bench:sdk -- sizes`
 * and built by the consumer test (tests/consumer/install.test.ts) from the packed tarball.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyApi } from '../src/lazy-api.ts';
import * as factories from '../src/modules.ts';
import { connectDatabase, createTeam, failureOf, type Team } from './support/team.ts';

let db: pg.Client;
let team: Team;

beforeAll(async () => {
  db = await connectDatabase();
  team = await createTeam(db);
});

afterAll(async () => {
  await db.end();
});

describe('gw.x members loaded lazily', () => {
  it('every member has exactly the methods its module makes, before anything is loaded', () => {
    const { gw } = team.member;
    const ctx = factories.createSdkContext(gw.supabase);
    const members = Object.keys(gw).filter((name) => name !== 'supabase');
    expect(members.length).toBeGreaterThanOrEqual(20);
    for (const member of members) {
      const factory = (factories as unknown as Record<string, (c: typeof ctx) => object>)[
        `create${member[0]?.toUpperCase()}${member.slice(1)}Api`
      ];
      expect(factory, `@groundwork/sdk/modules has no factory for gw.${member}`).toBeTypeOf('function');
      const methods = Object.keys((gw as unknown as Record<string, object>)[member] ?? {}).sort();
      expect(methods, `gw.${member}`).toEqual(Object.keys(factory?.(ctx) ?? {}).sort());
    }
  });

  it('the first call of a lazy module answers its data: roles.myPermissions, billing.subscription, trash.list', async () => {
    const workspaceId = team.workspace.id;
    expect(await team.owner.gw.roles.myPermissions(workspaceId)).toContain('billing.manage');
    expect(await team.owner.gw.billing.subscription(workspaceId)).toMatchObject({ plan: 'pro' });
    expect(await team.member.gw.trash.list(workspaceId)).toEqual([]);
  });

  it('a non-member gets not_found from a lazy module, the same for the workspace as for a random id', async () => {
    const existing = await failureOf(() => team.outsider.gw.billing.subscription(team.workspace.id));
    const random = await failureOf(() => team.outsider.gw.billing.subscription(randomUUID()));
    expect(existing).toMatchObject({ name: 'GroundworkError', code: 'not_found' });
    expect(random).toMatchObject({ name: 'GroundworkError', code: 'not_found' });
    expect((existing as Error).message).toBe((random as Error).message);
  });

  it('bad input to a lazy module is validation_failed with the field, as a rejection', async () => {
    const failure = await failureOf(() =>
      team.owner.gw.apiKeys.create({ workspace_id: 'nope', name: '', permissions: [] }),
    );
    expect(failure).toMatchObject({ code: 'validation_failed' });
    expect(Object.keys((failure as { fields: object }).fields)).toEqual(
      expect.arrayContaining(['workspace_id', 'name']),
    );
  });

  it('a failed load (a chunk that did not arrive) is not remembered: the next call loads again', async () => {
    let attempts = 0;
    const api = lazyApi(
      async () => {
        attempts += 1;
        if (attempts === 1) throw new TypeError('Failed to fetch dynamically imported module');
        return { echo: async (value: string) => `echo ${value}` };
      },
      { echo: true },
    );
    expect(attempts).toBe(0);
    await expect(api.echo('a')).rejects.toThrow('Failed to fetch dynamically imported module');
    expect(await api.echo('b')).toBe('echo b');
    expect(await api.echo('c')).toBe('echo c');
    expect(attempts).toBe(2);
  });
});
