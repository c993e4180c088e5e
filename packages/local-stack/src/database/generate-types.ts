import { StackError } from '../errors.ts';
import { runSupabaseCliOnProject } from '../processes/supabase-cli.ts';

/** TypeScript types for a database, from the real `supabase gen types`. */
export async function generateTypes(options: {
  dbUrl: string;
  workdir: string;
  schemas: string[];
}): Promise<string> {
  const args = ['gen', 'types', '--lang', 'typescript', `--remote=${options.dbUrl}?sslmode=disable`];
  for (const schema of options.schemas) args.push('--schema', schema);
  const result = await runSupabaseCliOnProject(options.workdir, args);
  if (result.code !== 0) {
    throw new StackError('cli_failed', result.stderr.trim() || 'supabase gen types failed', 'gen-types');
  }
  return result.stdout;
}
