import { describe, expect, it, vi } from 'vitest';
import { createGroundworkClient, type GroundworkClient } from '../src/index.ts';
import { anonymousClient, failureOf } from './support/team.ts';

/** A real client whose fetch counts the requests it lets through. */
function countingClient(): { gw: GroundworkClient; requests: () => number } {
  let count = 0;
  const gw = anonymousClient({
    fetch: (input, init) => {
      count += 1;
      return fetch(input, init);
    },
  });
  return { gw, requests: () => count };
}

const ID = '5b0f6f7e-1c1d-4c39-9a34-6a8f2a0b9f10';

/** Each call has one or more bad inputs and must fail before any request is made. */
const badCalls: Array<[string, (gw: GroundworkClient) => Promise<unknown>, string[]]> = [
  ['workspaces.create', (gw) => gw.workspaces.create({ name: ' ', slug: 'Bad Slug!' }), ['name', 'slug']],
  ['workspaces.get', (gw) => gw.workspaces.get('NOT A SLUG'), ['_']],
  ['workspaces.update', (gw) => gw.workspaces.update(ID, {}), ['_']],
  ['workspaces.delete', (gw) => gw.workspaces.delete('42'), ['_']],
  ['workspaces.usage', (gw) => gw.workspaces.usage(''), ['_']],
  ['members.list', (gw) => gw.members.list('x'), ['_']],
  [
    'members.changeRole',
    (gw) => gw.members.changeRole({ workspace_id: ID, user_id: 'me', role: 'king' as never }),
    ['role', 'user_id'],
  ],
  [
    'members.assignRole',
    (gw) => gw.members.assignRole({ workspace_id: ID, user_id: ID, role_id: 'triager' }),
    ['role_id'],
  ],
  ['members.remove', (gw) => gw.members.remove({ workspace_id: 'x', user_id: ID }), ['workspace_id']],
  ['members.leave', (gw) => gw.members.leave('x'), ['_']],
  [
    'members.transferOwnership',
    (gw) => gw.members.transferOwnership({ workspace_id: ID, new_owner_id: 'x' }),
    ['new_owner_id'],
  ],
  ['invitations.create', (gw) => gw.invitations.create({ workspace_id: ID, email: 'nope' }), ['email']],
  ['invitations.listPending', (gw) => gw.invitations.listPending('x'), ['_']],
  ['invitations.revoke', (gw) => gw.invitations.revoke('x'), ['_']],
  ['invitations.accept', (gw) => gw.invitations.accept(''), ['_']],
  [
    'projects.create',
    (gw) => gw.projects.create({ workspace_id: ID, name: '', key: '1X', description: 'x'.repeat(10001) }),
    ['description', 'key', 'name'],
  ],
  ['projects.list', (gw) => gw.projects.list('x'), ['_']],
  ['projects.get', (gw) => gw.projects.get('x'), ['_']],
  ['projects.update', (gw) => gw.projects.update(ID, { key: 'TOOLONGKEY123' }), ['key']],
  ['projects.archive', (gw) => gw.projects.archive('x'), ['_']],
  ['projects.unarchive', (gw) => gw.projects.unarchive('x'), ['_']],
  ['projects.delete', (gw) => gw.projects.delete('x'), ['_']],
  ['labels.create', (gw) => gw.labels.create({ workspace_id: ID, name: 'bug', color: 'red' }), ['color']],
  ['labels.list', (gw) => gw.labels.list('x'), ['_']],
  ['labels.update', (gw) => gw.labels.update(ID, { name: 'x'.repeat(51) }), ['name']],
  ['labels.delete', (gw) => gw.labels.delete('x'), ['_']],
  [
    'tasks.list',
    (gw) => gw.tasks.list({ status: 'doing' as never, limit: 1000, due_before: '31/01/2030' }),
    ['due_before', 'limit', 'status'],
  ],
  ['tasks.search', (gw) => gw.tasks.search({ workspace_id: ID, query: '  ' }), ['query']],
  ['tasks.get', (gw) => gw.tasks.get('x'), ['_']],
  ['tasks.getByKey', (gw) => gw.tasks.getByKey(ID, 'ENG42'), ['_']],
  [
    'tasks.create',
    (gw) => gw.tasks.create({ project_id: ID, title: '', priority: 'p0' as never, due_date: 'tomorrow' }),
    ['due_date', 'priority', 'title'],
  ],
  ['tasks.update', (gw) => gw.tasks.update(ID, { assignee_id: 'bob' }), ['assignee_id']],
  ['tasks.move', (gw) => gw.tasks.move(ID, { after_task_id: 'x' }), ['after_task_id']],
  ['tasks.delete', (gw) => gw.tasks.delete('x'), ['_']],
  ['tasks.addLabel', (gw) => gw.tasks.addLabel(ID, 'x'), ['_']],
  ['tasks.removeLabel', (gw) => gw.tasks.removeLabel('x', ID), ['_']],
  ['comments.list', (gw) => gw.comments.list(ID, { limit: 0 }), ['limit']],
  ['comments.add', (gw) => gw.comments.add({ task_id: ID, body: '   ' }), ['body']],
  ['comments.edit', (gw) => gw.comments.edit(ID, ''), ['_']],
  ['comments.delete', (gw) => gw.comments.delete('x'), ['_']],
  ['activity.list', (gw) => gw.activity.list({} as never), ['_']],
  ['attachments.list', (gw) => gw.attachments.list('x'), ['_']],
  ['attachments.getSignedUrl', (gw) => gw.attachments.getSignedUrl(ID, { expires_in: 0 }), ['expires_in']],
  ['attachments.download', (gw) => gw.attachments.download('x'), ['_']],
  ['attachments.delete', (gw) => gw.attachments.delete('x'), ['_']],
  ['profiles.get', (gw) => gw.profiles.get('x'), ['_']],
  ['notifications.list', (gw) => gw.notifications.list({ limit: -1 }), ['limit']],
  ['notifications.markRead', (gw) => gw.notifications.markRead(['x']), ['0']],
  ['notifications.subscribe', (gw) => gw.notifications.subscribe(1 as never), ['_']],
  ['presence.joinProject', (gw) => gw.presence.joinProject('x'), ['_']],
  ['tasks.subscribe', (gw) => gw.tasks.subscribe({ project_id: 'x' }, () => {}), ['project_id']],
  ['auth.signUp', (gw) => gw.auth.signUp({ email: 'x', password: '' }), ['email', 'password']],
  [
    'auth.signInWithPassword',
    (gw) => gw.auth.signInWithPassword({ email: 'x@y', password: '' }),
    ['email', 'password'],
  ],
  [
    'auth.signInWithOtp',
    (gw) => gw.auth.signInWithOtp({ email: 'x', redirect_to: 'nope' }),
    ['email', 'redirect_to'],
  ],
  ['auth.verifyOtp', (gw) => gw.auth.verifyOtp({ email: 'a@example.com', token: '1' }), ['token']],
  ['auth.updateUser', (gw) => gw.auth.updateUser({}), ['_']],
  ['auth.updateProfile', (gw) => gw.auth.updateProfile({ display_name: '' }), ['display_name']],
];

describe('inputs are validated before any request', () => {
  it.each(badCalls)(
    '%s rejects bad input as validation_failed listing the fields',
    async (_name, call, fields) => {
      const { gw, requests } = countingClient();
      const error = await failureOf(() => call(gw));
      expect(error).toMatchObject({ name: 'GroundworkError', code: 'validation_failed', status: 400 });
      expect(Object.keys((error as { fields: Record<string, string[]> }).fields).sort()).toEqual(fields);
      expect(requests()).toBe(0);
    },
  );

  it('words a field without its own message by what is wrong with it', async () => {
    const { gw } = countingClient();
    const error = await failureOf(() =>
      gw.tasks.list({ limit: 0, search: ' ', order: 'oldest' as 'newest' }),
    );
    expect(error).toMatchObject({
      fields: {
        limit: ['must be at least 1'],
        search: ['must be at least 1 characters'],
        order: ['must be one of position, newest'],
      },
    });
    expect(await failureOf(() => gw.comments.list(ID, { limit: 1.5 }))).toMatchObject({
      fields: { limit: ['must be an integer'] },
    });
  });

  it('createGroundworkClient asks for a WebSocket transport where the runtime has none (Node 20)', () => {
    const NativeWebSocket = globalThis.WebSocket;
    vi.stubGlobal('WebSocket', undefined);
    try {
      expect(() => createGroundworkClient({ url: 'http://127.0.0.1:54321', key: 'k' })).toThrow(
        expect.objectContaining({
          name: 'GroundworkError',
          code: 'validation_failed',
          fields: { 'supabase.realtime.transport': expect.any(Array) },
        }),
      );
      const gw = createGroundworkClient({
        url: 'http://127.0.0.1:54321',
        key: 'k',
        supabase: { realtime: { transport: NativeWebSocket } },
      });
      expect(gw.supabase.realtime).toBeDefined();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('createGroundworkClient rejects a missing URL or key', () => {
    expect(() => createGroundworkClient({ url: 'localhost', key: 'k' })).toThrow(
      expect.objectContaining({ code: 'validation_failed', fields: { url: expect.any(Array) } }),
    );
    expect(() => createGroundworkClient({ url: 'http://127.0.0.1:54321', key: '' })).toThrow(
      expect.objectContaining({ code: 'validation_failed', fields: { key: expect.any(Array) } }),
    );
  });
});

describe('an unreachable server', () => {
  // Port 1 on loopback: the connection is refused at once.
  const gw = createGroundworkClient({
    url: 'http://127.0.0.1:1',
    key: 'publishable',
    supabase: { auth: { persistSession: false, autoRefreshToken: false } },
  });

  it.each([
    ['PostgREST', () => gw.workspaces.get('acme')],
    ['an RPC', () => gw.invitations.accept('x'.repeat(32))],
    ['Auth', () => gw.auth.signInWithPassword({ email: 'a@example.com', password: 'secret' })],
    ['an edge function', () => gw.invitations.create({ workspace_id: ID, email: 'a@example.com' })],
  ])('is a network error through %s', async (_name, call) => {
    expect(await failureOf(call)).toMatchObject({ name: 'GroundworkError', code: 'network', status: 0 });
  });
});
