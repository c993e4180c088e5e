/**
 * gw.attachments.upload with on_progress: the file goes through a signed upload URL. Node has no
 * XMLHttpRequest, so this covers the fetch path (progress once, at the end) and the rights checked
 * when signing; the XHR path (progress as bytes leave) runs in Chromium in tests/taskboard.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadProgress } from '../src/index.ts';
import { connectDatabase, createTeam, failureOf } from './support/team.ts';

let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase();
});

afterAll(async () => {
  await db.end();
});

describe('gw.attachments.upload with on_progress', () => {
  it('stores the file as the uploader and reports all bytes sent', async () => {
    const team = await createTeam(db);
    const project = await team.admin.gw.projects.create({
      workspace_id: team.workspace.id,
      name: 'Eng',
      key: 'ENG',
    });
    const task = await team.member.gw.tasks.create({ project_id: project.id, title: 'Has files' });
    const seen: UploadProgress[] = [];
    const attachment = await team.member.gw.attachments.upload({
      task_id: task.id,
      file: new Blob(['x'.repeat(5000)], { type: 'text/plain' }),
      file_name: 'big.txt',
      on_progress: (progress) => seen.push(progress),
    });
    expect(attachment).toMatchObject({
      task_id: task.id,
      file_name: 'big.txt',
      size_bytes: 5000,
      mime_type: 'text/plain',
      uploaded_by: team.member.id,
    });
    expect(seen.at(-1)).toEqual({ loaded: 5000, total: 5000 });
    expect(await (await team.viewer.gw.attachments.download(attachment.id)).text()).toBe('x'.repeat(5000));

    // Same name again without upsert: a conflict, as without on_progress; with upsert it replaces.
    const again = () =>
      team.member.gw.attachments.upload({
        task_id: task.id,
        file: new Blob(['second'], { type: 'text/plain' }),
        file_name: 'big.txt',
        on_progress: () => undefined,
      });
    expect(await failureOf(again)).toMatchObject({ code: 'conflict' });
    await team.member.gw.attachments.upload({
      task_id: task.id,
      file: new Blob(['second'], { type: 'text/plain' }),
      file_name: 'big.txt',
      upsert: true,
      on_progress: () => undefined,
    });
    expect(await (await team.viewer.gw.attachments.download(attachment.id)).text()).toBe('second');
  });

  it('refuses a viewer and an outsider before any byte is sent', async () => {
    const team = await createTeam(db);
    const project = await team.admin.gw.projects.create({
      workspace_id: team.workspace.id,
      name: 'Eng',
      key: 'ENG',
    });
    const task = await team.member.gw.tasks.create({ project_id: project.id, title: 'Locked' });
    const seen: UploadProgress[] = [];
    const upload = (who: typeof team.viewer) =>
      who.gw.attachments.upload({
        task_id: task.id,
        file: new Blob(['nope'], { type: 'text/plain' }),
        file_name: 'nope.txt',
        on_progress: (progress) => seen.push(progress),
      });
    expect(await failureOf(() => upload(team.viewer))).toMatchObject({ code: 'forbidden' });
    // An outsider can't even see the task: the same answer as for a task that doesn't exist.
    expect(await failureOf(() => upload(team.outsider))).toMatchObject({ code: 'not_found' });
    expect(seen).toEqual([]);
    expect(await team.member.gw.attachments.list(task.id)).toEqual([]);
  });

  it('rejects a progress callback that is not a function', async () => {
    const team = await createTeam(db);
    const error = await failureOf(() =>
      team.member.gw.attachments.upload({
        task_id: team.workspace.id,
        file: new Blob(['x']),
        file_name: 'x.txt',
        on_progress: 'nope' as never,
      }),
    );
    expect(error).toMatchObject({
      code: 'validation_failed',
      fields: { on_progress: ['must be a function'] },
    });
  });
});
