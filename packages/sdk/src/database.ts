/**
 * The project's schema as the SDK and apps type their supabase-js client with: the generated
 * types (`database.gen.ts`, `npm run gen:types`) plus the facts `supabase gen types` cannot
 * read from the catalog.
 *
 * - `tasks.key` is a computed field (`public.key(tasks)`, a SQL function), and a function's
 *   result is always typed nullable. It is never null for a task you can read: `projects.key`
 *   is `not null`, the task's (project_id, workspace_id) is a foreign key to the project, and
 *   tasks and projects are readable under the same workspace-membership policy.
 */
import type { Database as GeneratedDatabase } from './database.gen.ts';

/** `Base` with the properties `Patch` names replaced, recursively; everything else unchanged. */
type Refine<Base, Patch> =
  Patch extends Record<string, unknown>
    ? Base extends Record<string, unknown>
      ? { [K in keyof Base]: K extends keyof Patch ? Refine<Base[K], Patch[K]> : Base[K] }
      : Patch
    : Patch;

export type Database = Refine<GeneratedDatabase, { public: { Tables: { tasks: { Row: { key: string } } } } }>;
export type { Json } from './database.gen.ts';
