import type { ProjectLocation } from '../config/project-location.ts';
import { runSupabaseCliOnProject } from '../processes/supabase-cli.ts';
import { runningStack } from './running-stack.ts';

/** `groundwork advisors`: the real `supabase db advisors` against the running database. */
export async function advisorsCommand(location: ProjectLocation, flags: string[]): Promise<void> {
  const { status } = runningStack(location, 'advisors');
  const result = await runSupabaseCliOnProject(location.workdir, [
    'db',
    'advisors',
    `--remote=${status.DB_URL}?sslmode=disable`,
    '--yes',
    ...flags,
  ]);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  if (result.code !== 0) process.exitCode = result.code;
}
