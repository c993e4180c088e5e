import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, createTeam, failureOf, type Team } from './support/team.ts';

let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase();
});

afterAll(async () => {
  await db.end();
});

async function teamWithTask(plan: 'free' | 'pro' = 'pro'): Promise<{ team: Team; taskId: string }> {
  const team = await createTeam(db, plan);
  const project = await team.admin.gw.projects.create({
    workspace_id: team.workspace.id,
    name: 'Eng',
    key: 'ENG',
  });
  const task = await team.member.gw.tasks.create({ project_id: project.id, title: 'Has files' });
  return { team, taskId: task.id };
}

const text = (content: string) => new Blob([content], { type: 'text/plain' });

describe('gw.attachments', () => {
  it('upload stores the file under the task and lists, downloads and signs it', async () => {
    const { team, taskId } = await teamWithTask();
    const attachment = await team.member.gw.attachments.upload({
      task_id: taskId,
      file: text('hello world'),
      file_name: 'notes.txt',
      content_type: 'text/plain',
    });
    expect(attachment).toMatchObject({
      task_id: taskId,
      workspace_id: team.workspace.id,
      object_path: `${team.workspace.id}/${taskId}/notes.txt`,
      file_name: 'notes.txt',
      size_bytes: 11,
      mime_type: 'text/plain',
      uploaded_by: team.member.id,
    });
    expect((await team.viewer.gw.attachments.list(taskId)).map((a) => a.id)).toEqual([attachment.id]);
    expect(await (await team.viewer.gw.attachments.download(attachment.id)).text()).toBe('hello world');

    const url = await team.viewer.gw.attachments.getSignedUrl(attachment.id, { expires_in: 60 });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello world');
  });

  it('a second file of the same name is a conflict unless upsert is set', async () => {
    const { team, taskId } = await teamWithTask();
    const upload = (content: string, upsert?: boolean) =>
      team.member.gw.attachments.upload({ task_id: taskId, file: text(content), file_name: 'a.txt', upsert });
    await upload('one');
    expect(await failureOf(() => upload('two'))).toMatchObject({ code: 'conflict', status: 409 });
    const replaced = await upload('three!', true);
    expect(replaced.size_bytes).toBe(6);
  });

  it('viewers cannot upload; outsiders cannot see the task; only uploader or admin deletes', async () => {
    const { team, taskId } = await teamWithTask();
    expect(
      await failureOf(() =>
        team.viewer.gw.attachments.upload({ task_id: taskId, file: text('x'), file_name: 'x.txt' }),
      ),
    ).toMatchObject({ code: 'forbidden' });
    expect(
      await failureOf(() =>
        team.outsider.gw.attachments.upload({ task_id: taskId, file: text('x'), file_name: 'x.txt' }),
      ),
    ).toMatchObject({ code: 'not_found' });

    const attachment = await team.member.gw.attachments.upload({
      task_id: taskId,
      file: text('x'),
      file_name: 'x.txt',
    });
    expect(await failureOf(() => team.outsider.gw.attachments.download(attachment.id))).toMatchObject({
      code: 'not_found',
    });
    expect(await failureOf(() => team.viewer.gw.attachments.delete(attachment.id))).toMatchObject({
      code: 'forbidden',
    });
    await team.admin.gw.attachments.delete(attachment.id);
    expect(await team.viewer.gw.attachments.list(taskId)).toEqual([]);
  });

  it('uploads over the plan’s storage are plan_limit_reached', async () => {
    const { team, taskId } = await teamWithTask();
    // A throwaway plan with a tiny quota, so the test needs no large files.
    const plan = `tiny_${team.workspace.id.slice(0, 8)}`;
    await db.query(`insert into public.plans (id, name, storage_limit_bytes) values ($1, 'Tiny', 16)`, [
      plan,
    ]);
    await db.query('update public.workspaces set plan = $2 where id = $1', [team.workspace.id, plan]);
    await team.member.gw.attachments.upload({
      task_id: taskId,
      file: text('0123456789'),
      file_name: 'a.txt',
    });
    expect(
      await failureOf(() =>
        team.member.gw.attachments.upload({ task_id: taskId, file: text('0123456789'), file_name: 'b.txt' }),
      ),
    ).toMatchObject({ code: 'plan_limit_reached', reason: 'plan_limit_reached' });
  });

  it('bad files and names fail validation before any request', async () => {
    const { team, taskId } = await teamWithTask();
    const error = await failureOf(() =>
      team.member.gw.attachments.upload({
        task_id: taskId,
        file: 'text' as never,
        file_name: '../etc/passwd',
      }),
    );
    expect(error).toMatchObject({ code: 'validation_failed' });
    expect(Object.keys((error as { fields: object }).fields).sort()).toEqual(['file', 'file_name']);
  });
});

describe('gw.profiles', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  it('uploadAvatar stores the image, points the profile at it and replaces the previous one', async () => {
    const { team } = await teamWithTask();
    const first = await team.member.gw.profiles.uploadAvatar({ file: png, content_type: 'image/png' });
    expect(first.avatar_path).toMatch(new RegExp(`^${team.member.id}/avatar-[a-z0-9]+\\.png$`));
    const url = team.viewer.gw.profiles.avatarUrl(first.avatar_path);
    const response = await fetch(url ?? '');
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(png);

    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await team.member.gw.profiles.uploadAvatar({ file: png, content_type: 'image/png' });
    expect(second.avatar_path).not.toBe(first.avatar_path);
    expect((await fetch(url ?? '')).status).toBe(400);
    expect((await team.viewer.gw.profiles.get(team.member.id)).avatar_path).toBe(second.avatar_path);
    expect(team.viewer.gw.profiles.avatarUrl(null)).toBeNull();
  });

  it('get is not_found for people you share no workspace with; non-images are refused', async () => {
    const { team } = await teamWithTask();
    expect(await failureOf(() => team.outsider.gw.profiles.get(team.member.id))).toMatchObject({
      code: 'not_found',
    });
    expect(
      await failureOf(() => team.member.gw.profiles.uploadAvatar({ file: png, content_type: 'text/html' })),
    ).toMatchObject({ code: 'validation_failed', fields: { content_type: expect.any(Array) } });
  });
});
