import { join } from 'node:path';
import type { ProjectLocation } from '../config/project-location.ts';
import { pgtapFiles, runPgtapSuite } from '../database/pgtap/run-pgtap-files.ts';
import { print } from './print.ts';
import { runningStack } from './running-stack.ts';

/**
 * `groundwork test db`: the pgTAP files in supabase/tests/ as `supabase test db` runs them,
 * against the running stack's database (or `--db-url`), as one TAP stream on stdout. Exit
 * code 1 when any file fails (a `not ok`, a plan not met, an SQL error) or there is none.
 */
export async function testDbCommand(location: ProjectLocation, options: { dbUrl?: string }): Promise<void> {
  const dbUrl = options.dbUrl ?? runningStack(location, 'test').status.DB_URL;
  const dir = join(location.supabaseDir, 'tests');
  const files = pgtapFiles(dir);
  if (files.length === 0) {
    process.stderr.write(`no pgTAP files (*.sql) in ${dir}\n`);
    process.exitCode = 1;
    return;
  }
  const { passed } = await runPgtapSuite({ dbUrl, files, workdir: location.workdir, write: print });
  if (!passed) process.exitCode = 1;
}
