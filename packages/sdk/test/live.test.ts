import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationRow, PresentMember, TaskChange } from '../src/index.ts';
import { connectDatabase, createTeam, failureOf, type Team } from './support/team.ts';

let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase();
});

afterAll(async () => {
  await db.end();
});

/** Waits until `read()` satisfies `done`, polling; fails after `timeoutMs`. */
async function eventually<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (done(value)) return value;
    if (Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function teamWithProject(): Promise<{ team: Team; projectId: string }> {
  const team = await createTeam(db);
  const project = await team.admin.gw.projects.create({
    workspace_id: team.workspace.id,
    name: 'Live',
    key: 'LIVE',
  });
  return { team, projectId: project.id };
}

describe('gw.tasks.subscribe', () => {
  it('streams inserts, updates and deletes of a project’s tasks to members, not outsiders', async () => {
    const { team, projectId } = await teamWithProject();
    const seen: TaskChange[] = [];
    const outsiderSeen: TaskChange[] = [];
    const sub = await team.viewer.gw.tasks.subscribe({ project_id: projectId }, (change) =>
      seen.push(change),
    );
    const outsiderSub = await team.outsider.gw.tasks.subscribe({ project_id: projectId }, (change) =>
      outsiderSeen.push(change),
    );

    const task = await team.member.gw.tasks.create({ project_id: projectId, title: 'Live one' });
    // Realtime applies no filter to DELETE events (the old row holds only the key), so other
    // files' deletes reach this subscription too: keep those of this project's task.
    const ours = () => seen.filter((change) => change.type !== 'DELETE' || change.id === task.id);
    // One step at a time: Realtime checks an update against the row as it is when delivering.
    await eventually(ours, (list) => list.length >= 1);
    await team.member.gw.tasks.update(task.id, { status: 'in_progress' });
    await eventually(ours, (list) => list.length >= 2);
    // Moving to the trash hides the row, so Realtime does not deliver it; a permanent delete
    // is a DELETE event.
    await team.admin.gw.tasks.deletePermanently(task.id);
    const changes = await eventually(ours, (list) => list.length >= 3);
    expect(changes.map((c) => c.type)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    expect(changes[0]).toMatchObject({
      type: 'INSERT',
      task: { id: task.id, title: 'Live one', status: 'todo' },
    });
    expect(changes[1]).toMatchObject({
      type: 'UPDATE',
      task: { status: 'in_progress' },
      old: { status: 'todo' },
    });
    expect(changes[2]).toEqual({ type: 'DELETE', id: task.id });
    expect(changes[0]).not.toHaveProperty('task.search_vector');

    // Outsiders hear no inserts or updates; deletes are bare ids for everyone. The delete is the
    // sentinel: committed after the insert and update, it reaches the outsider's socket after them.
    await eventually(
      () => outsiderSeen,
      (list) => list.some((c) => c.type === 'DELETE' && c.id === task.id),
    );
    expect(outsiderSeen).toContainEqual({ type: 'DELETE', id: task.id });
    expect(outsiderSeen.filter((c) => c.type !== 'DELETE')).toEqual([]);
    await sub.unsubscribe();
    await outsiderSub.unsubscribe();
  });

  it('streams a whole workspace’s task inserts across projects', async () => {
    const { team, projectId } = await teamWithProject();
    const other = await team.admin.gw.projects.create({
      workspace_id: team.workspace.id,
      name: 'Ops',
      key: 'OPS',
    });
    const seen: TaskChange[] = [];
    const sub = await team.member.gw.tasks.subscribe({ workspace_id: team.workspace.id }, (c) =>
      seen.push(c),
    );
    await team.member.gw.tasks.create({ project_id: projectId, title: 'In Live' });
    await team.member.gw.tasks.create({ project_id: other.id, title: 'In Ops' });
    // Unfiltered DELETEs of other files' rows may arrive too (see above); count the inserts.
    const changes = await eventually(
      () => seen.filter((change) => change.type === 'INSERT'),
      (list) => list.length >= 2,
    );
    expect(changes.map((c) => (c.type === 'INSERT' ? c.task.title : c.type)).sort()).toEqual([
      'In Live',
      'In Ops',
    ]);
    await sub.unsubscribe();
  });

  it('needs exactly one of project_id or workspace_id', async () => {
    const { team } = await teamWithProject();
    expect(await failureOf(() => team.viewer.gw.tasks.subscribe({} as never, () => {}))).toMatchObject({
      code: 'validation_failed',
    });
  });
});

describe('gw.notifications', () => {
  it('delivers an assignment live, lists it with actor and task, counts and marks it read', async () => {
    const { team, projectId } = await teamWithProject();
    const live: NotificationRow[] = [];
    const sub = await team.member.gw.notifications.subscribe((n) => live.push(n));

    const task = await team.admin.gw.tasks.create({
      project_id: projectId,
      title: 'For you',
      assignee_id: team.member.id,
    });
    await team.admin.gw.comments.add({ task_id: task.id, body: `Have a look, <@${team.viewer.id}>` });

    // The assignee hears of the assignment and of the comment on their task.
    const received = await eventually(
      () => live,
      (list) => list.length >= 2,
    );
    expect(received.map((n) => n.type)).toEqual(['task_assigned', 'comment_added']);
    expect(received[0]).toMatchObject({
      task_id: task.id,
      recipient_id: team.member.id,
      actor_id: team.admin.id,
    });

    const { items } = await team.member.gw.notifications.list();
    expect(items.map((n) => n.type)).toEqual(['comment_added', 'task_assigned']);
    expect(items[1]).toMatchObject({
      type: 'task_assigned',
      read_at: null,
      actor: { id: team.admin.id },
      task: { id: task.id, key: 'LIVE-1', title: 'For you' },
    });
    expect((await team.viewer.gw.notifications.list()).items.map((n) => n.type)).toEqual(['mentioned']);
    expect(await team.member.gw.notifications.unreadCount()).toBe(2);

    expect(await team.member.gw.notifications.markRead([items[1]?.id ?? ''])).toBe(1);
    expect(await team.member.gw.notifications.unreadCount()).toBe(1);
    expect((await team.member.gw.notifications.list({ unread_only: true })).items.map((n) => n.type)).toEqual(
      ['comment_added'],
    );
    expect(await team.viewer.gw.notifications.markRead()).toBe(1);
    // Nobody reads or marks someone else's notifications.
    expect((await team.outsider.gw.notifications.list()).items).toEqual([]);
    await sub.unsubscribe();
  });

  it('paginates newest first', async () => {
    const { team, projectId } = await teamWithProject();
    for (let i = 1; i <= 3; i++) {
      await team.admin.gw.tasks.create({
        project_id: projectId,
        title: `T${i}`,
        assignee_id: team.member.id,
      });
    }
    const first = await team.member.gw.notifications.list({ limit: 2 });
    const second = await team.member.gw.notifications.list({ limit: 2, cursor: first.nextCursor ?? '' });
    expect([...first.items, ...second.items].map((n) => n.task?.title)).toEqual(['T3', 'T2', 'T1']);
    expect(second.nextCursor).toBeNull();
  });
});

describe('gw.presence', () => {
  it('shows who is on a project board and refuses outsiders', async () => {
    const { team, projectId } = await teamWithProject();
    const memberBoard = await team.member.gw.presence.joinProject(projectId, { viewing: 'LIVE-1' });
    let latest: PresentMember[] = [];
    memberBoard.onChange((members) => {
      latest = members;
    });
    const viewerBoard = await team.viewer.gw.presence.joinProject(projectId);

    const both = await eventually(
      () => latest,
      (members) => members.length === 2,
    );
    expect(both.map((m) => m.user_id).sort()).toEqual([team.member.id, team.viewer.id].sort());
    const viewerSees = await eventually(
      () => viewerBoard.members(),
      (members) => members.some((m) => m.user_id === team.member.id),
    );
    expect(viewerSees.find((m) => m.user_id === team.member.id)?.state).toMatchObject({ viewing: 'LIVE-1' });

    await memberBoard.update({ viewing: 'LIVE-2' });
    await eventually(
      () => viewerBoard.members(),
      (members) => members.some((m) => m.state.viewing === 'LIVE-2'),
    );
    await viewerBoard.leave();
    const alone = await eventually(
      () => latest,
      (members) => members.length === 1,
    );
    expect(alone.map((m) => m.user_id)).toEqual([team.member.id]);
    await memberBoard.leave();

    expect(await failureOf(() => team.outsider.gw.presence.joinProject(projectId))).toMatchObject({
      code: 'forbidden',
    });
  });

  it('someone who changed what they share and then left is gone for the others', async () => {
    const { team, projectId } = await teamWithProject();
    const viewerBoard = await team.viewer.gw.presence.joinProject(projectId);
    const memberBoard = await team.member.gw.presence.joinProject(projectId, { viewing: 'LIVE-1' });
    const member = () => viewerBoard.members().filter((m) => m.user_id === team.member.id);
    await memberBoard.update({ viewing: 'LIVE-2' });
    await memberBoard.update({ viewing: 'LIVE-3' });
    // One entry with the latest state, not one per update.
    expect(await eventually(member, (found) => found[0]?.state.viewing === 'LIVE-3')).toEqual([
      { user_id: team.member.id, state: { viewing: 'LIVE-3' } },
    ]);
    await memberBoard.leave();
    expect(await eventually(member, (found) => found.length === 0)).toEqual([]);
    expect(viewerBoard.members().map((m) => m.user_id)).toEqual([team.viewer.id]);
    await viewerBoard.leave();
  });

  it('two joins of one board on one client are independent: leaving one keeps the other (React’s double mount)', async () => {
    const { team, projectId } = await teamWithProject();
    const viewerBoard = await team.viewer.gw.presence.joinProject(projectId);
    const memberState = () => viewerBoard.members().find((m) => m.user_id === team.member.id)?.state;

    // As React's development mount-unmount-mount does: the second join starts before the first
    // has finished, and the first is left as soon as it resolves.
    const firstJoin = team.member.gw.presence.joinProject(projectId, { viewing: 'LIVE-1' });
    const secondJoin = team.member.gw.presence.joinProject(projectId, { viewing: 'LIVE-1' });
    await (await firstJoin).leave();
    const board = await secondJoin;
    let seenBySecond: PresentMember[] = [];
    board.onChange((members) => {
      seenBySecond = members;
    });

    // Still on the board: an update made after the first left reaches the viewer…
    await board.update({ viewing: 'LIVE-2' });
    expect(await eventually(memberState, (state) => state?.viewing === 'LIVE-2')).toMatchObject({
      viewing: 'LIVE-2',
    });
    // …and the second join still hears about others.
    const outsiderish = await team.admin.gw.presence.joinProject(projectId);
    const three = await eventually(
      () => seenBySecond,
      (members) => members.length === 3,
    );
    expect(three.map((m) => m.user_id).sort()).toEqual(
      [team.admin.id, team.member.id, team.viewer.id].sort(),
    );
    await outsiderish.leave();

    // One join left after another, then both: the member is gone for the others only then.
    const third = await team.member.gw.presence.joinProject(projectId, { viewing: 'LIVE-3' });
    await board.leave();
    await third.update({ viewing: 'LIVE-4' });
    await eventually(memberState, (state) => state?.viewing === 'LIVE-4');
    await third.leave();
    expect(await eventually(memberState, (state) => state === undefined)).toBeUndefined();

    // Joining again after everything was left opens the board afresh.
    const again = await team.member.gw.presence.joinProject(projectId, { viewing: 'LIVE-5' });
    expect(await eventually(memberState, (state) => state?.viewing === 'LIVE-5')).toMatchObject({
      viewing: 'LIVE-5',
    });
    expect(
      again
        .members()
        .map((m) => m.user_id)
        .sort(),
    ).toEqual([team.member.id, team.viewer.id].sort());
    await again.leave();
    await viewerBoard.leave();
  });
});
