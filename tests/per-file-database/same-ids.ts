/**
 * What each of the two per-file-database test files runs: the same workspace, user, bucket and
 * object written under the same ids and names, each file in its own copy of the database
 * (`startTestDatabase`), with no clean-up before or after. In one database the second writer
 * would get 409s; with a copy per file both pass, side by side or in either order, and the
 * shared database never sees either.
 */
import { startTestDatabase, type TestDatabase } from '@groundwork/local-stack/testing';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// Brings in the `inject('stack')` typing the shared test stack provides.
import type {} from '../global-setup.ts';

const repo = new URL('../..', import.meta.url).pathname;
/** Written by both files: the same primary key, the same unique slug, email, bucket and path. */
export const SAME = {
  workspaceId: '5a3e1d50-0000-4000-8000-000000000021',
  slug: 'written-by-two-files',
  email: 'same-person@example.com',
  password: 'correct-horse-battery',
  bucket: 'same-bucket',
  path: 'same/file.txt',
} as const;
const options = { auth: { persistSession: false, autoRefreshToken: false } };

export function describeSameIds(file: string): void {
  describe(`a database of its own for the ${file}`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await startTestDatabase({ dbUrl: inject('stack').dbUrl, workdir: repo });
    });
    afterAll(async () => {
      await db?.stop();
    });

    it('writes the ids the other file writes, without a conflict, and reads back only its own', async () => {
      const service = createClient(db.apiUrl, db.keys.serviceRoleKey, options);
      const inserted = await service
        .from('workspaces')
        .insert({ id: SAME.workspaceId, name: `written by the ${file}`, slug: SAME.slug })
        .select('id, name');
      expect(inserted).toMatchObject({
        status: 201,
        data: [{ id: SAME.workspaceId, name: `written by the ${file}` }],
      });
      const signUp = await createClient(db.apiUrl, db.keys.publishableKey, options).auth.signUp({
        email: SAME.email,
        password: SAME.password,
      });
      expect(signUp.error).toBeNull();
      expect(signUp.data.user?.email).toBe(SAME.email);
      expect((await service.storage.createBucket(SAME.bucket)).error).toBeNull();
      const upload = await service.storage.from(SAME.bucket).upload(SAME.path, `from the ${file}`);
      expect(upload.error).toBeNull();

      const read = await service.from('workspaces').select('name').eq('id', SAME.workspaceId);
      expect(read.data).toEqual([{ name: `written by the ${file}` }]);
      const file_ = await service.storage.from(SAME.bucket).download(SAME.path);
      expect(await file_.data?.text()).toBe(`from the ${file}`);
      const signIn = await createClient(db.apiUrl, db.keys.publishableKey, options).auth.signInWithPassword({
        email: SAME.email,
        password: SAME.password,
      });
      expect(signIn.error).toBeNull();
    });

    it('refuses the same ids a second time within its own database (they are unique there)', async () => {
      const service = createClient(db.apiUrl, db.keys.serviceRoleKey, options);
      const again = await service
        .from('workspaces')
        .insert({ id: SAME.workspaceId, name: 'a second time', slug: SAME.slug });
      expect(again.status).toBe(409);
      expect(again.error?.code).toBe('23505');
      const signUpAgain = await createClient(db.apiUrl, db.keys.publishableKey, options).auth.signUp({
        email: SAME.email,
        password: SAME.password,
      });
      // Auth answers an existing email with an obfuscated user and no session, creating nothing.
      expect(signUpAgain.data.session).toBeNull();
      const users = await db.db.query<{ n: number }>(
        'select count(*)::int as n from auth.users where email = $1',
        [SAME.email],
      );
      expect(users.rows).toEqual([{ n: 1 }]);
    });

    it('leaves the shared database without any of it', async () => {
      const shared = new pg.Client({ connectionString: inject('stack').dbUrl });
      await shared.connect();
      try {
        const { rows } = await shared.query(
          `select (select count(*)::int from public.workspaces where id = $1 or slug = $2) as workspaces,
                  (select count(*)::int from auth.users where email = $3) as users,
                  (select count(*)::int from storage.buckets where id = $4) as buckets`,
          [SAME.workspaceId, SAME.slug, SAME.email, SAME.bucket],
        );
        expect(rows).toEqual([{ workspaces: 0, users: 0, buckets: 0 }]);
      } finally {
        await shared.end();
      }
    });
  });
}
