import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, type Tenant, uniqueSuffix } from './support/fixtures.ts';
import { GRANTABLE } from './support/permission-catalogue.ts';
import { userClient } from './support/rest-personas.ts';
import { connect } from './support/sql-identity.ts';

// Workspace API keys calling the edge functions that accept machines (invite-member,
// audit-export): through the real gateway and Deno, keys made by a signed-in owner with the
// RPCs, the machine sending the publishable key and the Groundwork-Api-Key header only.

const stack = inject('stack');
const HEADER = 'Groundwork-Api-Key';
let db: pg.Client;
let a: Tenant;
let b: Tenant;
let ownerA: SupabaseClient;
let ownerB: SupabaseClient;

interface CreatedKey {
  id: string;
  key: string;
}

async function createKey(
  owner: SupabaseClient,
  tenant: Tenant,
  permissions: string[],
  expiresAt?: string,
): Promise<CreatedKey> {
  const { data, error } = await owner.rpc('create_api_key', {
    workspace_id: tenant.workspaceId,
    name: `Machine ${uniqueSuffix()}`,
    permissions,
    ...(expiresAt ? { expires_at: expiresAt } : {}),
  });
  if (error) throw error;
  return data as CreatedKey;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A function called as a machine does: the publishable key and the API key header, no JWT. */
async function callAsKey(name: string, key: string, body: unknown, extra: Record<string, string> = {}) {
  const response = await fetch(`${stack.apiUrl}/functions/v1/${name}`, {
    method: 'POST',
    headers: { apikey: stack.publishableKey, [HEADER]: key, 'content-type': 'application/json', ...extra },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  } satisfies Answer;
}

async function invitationsTo(email: string): Promise<Array<{ workspace_id: string; invited_by: string }>> {
  const { rows } = await db.query(
    'select workspace_id, invited_by from public.invitations where email = $1',
    [email],
  );
  return rows;
}

const newEmail = () => `machine-${uniqueSuffix()}@example.test`;

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
  a = await createTenant(db, 'pro');
  b = await createTenant(db, 'pro');
  ownerA = await userClient(stack, a.users.owner);
  ownerB = await userClient(stack, b.users.owner);
});

afterAll(async () => {
  await db.end();
});

describe('invite-member with an API key', () => {
  it('a key holding members.invite invites; the invitation and its audit row name the key', async () => {
    // Inviting as a role needs every permission the role holds, for a key as for a person.
    const created = await createKey(
      ownerA,
      a,
      [...GRANTABLE].filter((p) => p !== 'api_keys.manage'),
    );
    const email = newEmail();
    const answer = await callAsKey('invite-member', created.key, { workspaceId: a.workspaceId, email });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      workspace_id: a.workspaceId,
      email,
      role: 'member',
      invited_by: created.id,
    });
    expect(await invitationsTo(email)).toEqual([{ workspace_id: a.workspaceId, invited_by: created.id }]);
    const { rows } = await db.query(
      `select actor_id, actor_type from public.audit_log
       where workspace_id = $1 and target_table = 'invitations' and target_id = $2 and action = 'insert'`,
      [a.workspaceId, answer.body.id],
    );
    expect(rows).toEqual([{ actor_id: created.id, actor_type: 'api_key' }]);
  });

  it('a key without members.invite is forbidden, and nothing is created', async () => {
    const created = await createKey(ownerA, a, ['tasks.read']);
    const email = newEmail();
    const answer = await callAsKey('invite-member', created.key, { workspaceId: a.workspaceId, email });
    expect(answer).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await invitationsTo(email)).toEqual([]);
  });

  it('a key of another workspace hears workspace_not_found, exactly as for a random id', async () => {
    const created = await createKey(ownerB, b, ['members.invite']);
    const email = newEmail();
    const other = await callAsKey('invite-member', created.key, { workspaceId: a.workspaceId, email });
    const random = await callAsKey('invite-member', created.key, { workspaceId: randomUUID(), email });
    expect(other.status).toBe(404);
    expect(other.body).toEqual(random.body);
    expect(other.body).toMatchObject({ code: 'workspace_not_found' });
    expect(await invitationsTo(email)).toEqual([]);
  });

  it('revoked, expired and unknown keys are refused before anything happens, naming no workspace', async () => {
    const revoked = await createKey(ownerA, a, ['members.invite']);
    const { error } = await ownerA.rpc('revoke_api_key', { key_id: revoked.id });
    expect(error).toBeNull();
    const expired = await createKey(
      ownerA,
      a,
      ['members.invite'],
      new Date(Date.now() + 60_000).toISOString(),
    );
    await db.query(`update private.api_keys set expires_at = now() - interval '1 second' where id = $1`, [
      expired.id,
    ]);
    const email = newEmail();
    const input = { workspaceId: a.workspaceId, email };
    for (const [key, code] of [
      [revoked.key, 'api_key_revoked'],
      [expired.key, 'api_key_expired'],
      [`gw_000000000000_${'x'.repeat(43)}`, 'api_key_invalid'],
    ] as const) {
      const answer = await callAsKey('invite-member', key, input);
      expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 401, code });
      expect(JSON.stringify(answer.body)).not.toContain(a.workspaceId);
    }
    expect(await invitationsTo(email)).toEqual([]);
  });

  it("a key past its plan's requests per minute is answered 429 with Retry-After", async () => {
    const created = await createKey(ownerA, a, ['members.invite']);
    // This minute's budget already spent (pro: 600 a minute).
    await db.query(
      `insert into private.api_key_usage (key_id, window_start, request_count, last_used_at)
       values ($1, date_trunc('minute', now()), 600, now())`,
      [created.id],
    );
    const email = newEmail();
    const answer = await callAsKey('invite-member', created.key, { workspaceId: a.workspaceId, email });
    expect(answer).toMatchObject({ status: 429, body: { code: 'api_key_rate_limited' } });
    const retryAfter = Number(answer.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await invitationsTo(email)).toEqual([]);
  });

  it('a key sent with a user session is refused (api_key_with_session, 400)', async () => {
    const created = await createKey(ownerA, a, ['members.invite']);
    const token = (await ownerA.auth.getSession()).data.session?.access_token as string;
    const email = newEmail();
    const answer = await callAsKey(
      'invite-member',
      created.key,
      { workspaceId: a.workspaceId, email },
      { authorization: `Bearer ${token}` },
    );
    expect(answer).toMatchObject({ status: 400, body: { code: 'api_key_with_session' } });
    expect(await invitationsTo(email)).toEqual([]);
  });

  it('without a key, a person still needs a valid token: none, the publishable key or a forged one is not_authenticated', async () => {
    const email = newEmail();
    const forged = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: a.users.owner.id, role: 'authenticated', exp: 4_000_000_000 }),
    ).toString('base64url')}.forged`;
    for (const authorization of [undefined, `Bearer ${stack.publishableKey}`, `Bearer ${forged}`]) {
      const response = await fetch(`${stack.apiUrl}/functions/v1/invite-member`, {
        method: 'POST',
        headers: {
          apikey: stack.publishableKey,
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ workspaceId: a.workspaceId, email }),
      });
      expect({ status: response.status, code: ((await response.json()) as { code: string }).code }).toEqual({
        status: 401,
        code: 'not_authenticated',
      });
    }
    expect(await invitationsTo(email)).toEqual([]);
  });
});

describe('resend-invitation with an API key', () => {
  it('a key holding members.invite resends an open invitation; a key of another workspace hears invitation_not_found as for a random id', async () => {
    const created = await createKey(
      ownerA,
      a,
      [...GRANTABLE].filter((p) => p !== 'api_keys.manage'),
    );
    const invited = await callAsKey('invite-member', created.key, {
      workspaceId: a.workspaceId,
      email: newEmail(),
    });
    expect(invited.status).toBe(201);
    const { rows: before } = await db.query<{ token_hash: string }>(
      'select token_hash from public.invitations where id = $1',
      [invited.body.id],
    );
    // The per-invitation wait is counted from the last send.
    await db.query(`update public.invitations set last_sent_at = now() - interval '1 hour' where id = $1`, [
      invited.body.id,
    ]);

    const keyOfB = await createKey(
      ownerB,
      b,
      [...GRANTABLE].filter((p) => p !== 'api_keys.manage'),
    );
    const other = await callAsKey('resend-invitation', keyOfB.key, { invitationId: invited.body.id });
    const random = await callAsKey('resend-invitation', keyOfB.key, { invitationId: randomUUID() });
    expect(other.status).toBe(404);
    expect(other.body).toEqual(random.body);
    expect(other.body).toMatchObject({ code: 'invitation_not_found' });
    const noInvite = await createKey(ownerA, a, ['tasks.read']);
    const refused = await callAsKey('resend-invitation', noInvite.key, { invitationId: invited.body.id });
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ code: 'invitation_not_found' });

    const resent = await callAsKey('resend-invitation', created.key, { invitationId: invited.body.id });
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ id: invited.body.id, send_count: 2 });
    const { rows: after } = await db.query<{ token_hash: string }>(
      'select token_hash from public.invitations where id = $1',
      [invited.body.id],
    );
    expect(after[0]?.token_hash).not.toBe(before[0]?.token_hash);
  });
});

describe('audit-export with an API key', () => {
  it('a key holding audit.read exports its workspace’s log and gets a signed URL to the file', async () => {
    const created = await createKey(ownerA, a, ['audit.read']);
    const answer = await callAsKey('audit-export', created.key, {
      workspaceId: a.workspaceId,
      format: 'json',
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ format: 'json', expiresIn: 3600 });
    expect(String(answer.body.path).startsWith(`${a.workspaceId}/`)).toBe(true);
    const file = await fetch(String(answer.body.url));
    expect(file.status).toBe(200);
    const rows = (await file.json()) as Array<{ id: number; target_table: string; actor_id: string | null }>;
    expect(rows.length).toBe(answer.body.rows);
    expect(rows.length).toBeGreaterThan(0);
    // The key's own creation is in the log; nothing of workspace B is.
    expect(rows.some((row) => row.target_table === 'api_keys')).toBe(true);
    const { rows: inB } = await db.query<{ id: string }>(
      'select id::text from public.audit_log where workspace_id = $1',
      [b.workspaceId],
    );
    const exported = new Set(rows.map((row) => String(row.id)));
    expect(inB.filter((row) => exported.has(row.id))).toEqual([]);
  });

  it('a key without audit.read is forbidden; a key of another workspace hears the answer of a random id', async () => {
    const exportsOfA = async () =>
      (
        await db.query(
          `select count(*)::int as n from storage.objects where bucket_id = 'audit-exports' and name like $1`,
          [`${a.workspaceId}/%`],
        )
      ).rows[0]?.n as number;
    const before = await exportsOfA();
    const noAudit = await createKey(ownerA, a, ['tasks.read']);
    expect(await callAsKey('audit-export', noAudit.key, { workspaceId: a.workspaceId })).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
    const keyOfB = await createKey(ownerB, b, ['audit.read']);
    const other = await callAsKey('audit-export', keyOfB.key, { workspaceId: a.workspaceId });
    const random = await callAsKey('audit-export', keyOfB.key, { workspaceId: randomUUID() });
    expect(other.status).toBe(404);
    expect(other.body).toEqual(random.body);
    expect(other.body).toMatchObject({ code: 'workspace_not_found' });
    expect(await exportsOfA()).toBe(before);
  });

  it('a revoked key exports nothing', async () => {
    const created = await createKey(ownerA, a, ['audit.read']);
    await ownerA.rpc('revoke_api_key', { key_id: created.id });
    const answer = await callAsKey('audit-export', created.key, { workspaceId: a.workspaceId });
    expect(answer).toMatchObject({ status: 401, body: { code: 'api_key_revoked' } });
  });
});
