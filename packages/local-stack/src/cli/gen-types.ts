import type { ProjectLocation } from '../config/project-location.ts';
import { generateTypes } from '../database/generate-types.ts';
import { runningStack } from './running-stack.ts';

/** `groundwork gen-types`: the real `supabase gen types` against the running database. */
export async function genTypesCommand(location: ProjectLocation, schemas: string[]): Promise<void> {
  const { status } = runningStack(location, 'gen-types');
  process.stdout.write(await generateTypes({ dbUrl: status.DB_URL, workdir: location.workdir, schemas }));
}
