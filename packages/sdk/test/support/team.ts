/**
 * Real users and workspaces on the shared test stack. Until the Auth service is mounted,
 * users are inserted into auth.users as the database owner and given tokens shaped like
 * Supabase Auth's (mintUserToken); everything they then do goes through the SDK, PostgREST
 * and RLS for real.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createProjectKeys, loadConfig, type ProjectKeys } from '@groundwork/local-stack';
import { mintUserToken } from '@groundwork/local-stack/testing';
import pg from 'pg';
import { inject } from 'vitest';
import { createGroundworkClient, type GroundworkClient, type Workspace } from '../../src/index.ts';

const workdir = new URL('../../../..', import.meta.url).pathname;
let keysPromise: Promise<ProjectKeys> | undefined;

function projectKeys(): Promise<ProjectKeys> {
  keysPromise ??= createProjectKeys(loadConfig({ workdir }));
  return keysPromise;
}

export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}

export interface Person {
  id: string;
  email: string;
  /** The person's access token, for clients other than `gw`. */
  token: string;
  gw: GroundworkClient;
}

export async function connectDatabase(): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: inject('stack').dbUrl });
  await db.connect();
  return db;
}

/** A client as someone who is not signed in (the publishable key only). */
export function anonymousClient(options: { fetch?: typeof fetch } = {}): GroundworkClient {
  const { apiUrl, publishableKey } = inject('stack');
  return createGroundworkClient({
    url: apiUrl,
    key: publishableKey,
    supabase: {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { fetch: options.fetch ?? fetch },
    },
  });
}

/** A confirmed user with a profile (made by the auth.users trigger) and an SDK client acting as them. */
export async function createPerson(
  db: pg.ClientBase,
  options: { email?: string; displayName?: string; fetch?: typeof fetch } = {},
): Promise<Person> {
  const id = randomUUID();
  const email = options.email ?? `sdk-${uniqueSuffix()}@example.test`;
  await db.query(
    `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
       raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '', now(),
       '{"provider":"email","providers":["email"]}', $3, now(), now())`,
    [id, email, JSON.stringify(options.displayName ? { display_name: options.displayName } : {})],
  );
  const token = await mintUserToken(await projectKeys(), { id, email });
  const { apiUrl, publishableKey } = inject('stack');
  const gw = createGroundworkClient({
    url: apiUrl,
    key: publishableKey,
    supabase: { accessToken: async () => token, global: { fetch: options.fetch ?? fetch } },
  });
  return { id, email, token, gw };
}

export type Role = 'owner' | 'admin' | 'member' | 'viewer';

export interface Team {
  workspace: Workspace;
  owner: Person;
  admin: Person;
  member: Person;
  viewer: Person;
  /** Signed in, but in no role in this workspace. */
  outsider: Person;
}

/**
 * A workspace created through the SDK by its owner, with one person per role and an
 * outsider. Memberships are added as the database owner: the invitation path needs the
 * invite-member function and has its own tests.
 */
export async function createTeam(db: pg.ClientBase, plan: 'free' | 'pro' = 'pro'): Promise<Team> {
  const suffix = uniqueSuffix();
  // One at a time: a pg client runs one query at a time.
  const person = (role: string) =>
    createPerson(db, { email: `${role}-${suffix}@example.test`, displayName: `${role} ${suffix}` });
  const owner = await person('owner');
  const admin = await person('admin');
  const member = await person('member');
  const viewer = await person('viewer');
  const outsider = await person('outsider');
  const workspace = await owner.gw.workspaces.create({ name: `Team ${suffix}`, slug: `team-${suffix}` });
  await db.query('update public.workspaces set plan = $2 where id = $1', [workspace.id, plan]);
  for (const [person, role] of [
    [admin, 'admin'],
    [member, 'member'],
    [viewer, 'viewer'],
  ] as const) {
    await db.query('insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)', [
      workspace.id,
      person.id,
      role,
    ]);
  }
  return { workspace: { ...workspace, plan }, owner, admin, member, viewer, outsider };
}

/** Runs `action` and returns the error it throws (failing the test if it resolves). */
export async function failureOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
