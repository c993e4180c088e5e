import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { StackError } from '../errors.ts';

/**
 * Where a project and its runtime state are, found without validating config.toml: the
 * commands that only read a running stack's state (`status`, `stop`) need no more, and
 * skipping the schema keeps them fast. `loadConfig` starts from the same location.
 */
export interface ProjectLocation {
  /** The folder holding `supabase/`. */
  workdir: string;
  supabaseDir: string;
  configPath: string;
  projectId: string;
  /** Runtime state of this project: `<workdir>/.groundwork/<project_id>`. */
  stateDir: string;
}

/** The git-ignored folder under a project's workdir that holds every local stack's state. */
export const stateRootOf = (workdir: string) => join(workdir, '.groundwork');

/** `project_id` when config.toml leaves it out (the CLI's schema default here). */
export const DEFAULT_PROJECT_ID = 'local';

export function findWorkdir(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'supabase', 'config.toml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The workdir as the Supabase CLI's `--workdir` names it, or the nearest one upward from cwd. */
export function resolveWorkdir(options: { workdir?: string; cwd?: string }): string {
  const workdir = options.workdir
    ? resolve(options.cwd ?? process.cwd(), options.workdir)
    : findWorkdir(options.cwd ?? process.cwd());
  if (!workdir || !existsSync(join(workdir, 'supabase', 'config.toml'))) {
    throw new StackError(
      'workdir_not_found',
      `no supabase/config.toml found ${options.workdir ? `in ${workdir}` : 'here or in any parent folder'}; run "npx supabase init" or pass --workdir`,
      'config',
    );
  }
  return workdir;
}

/** config.toml parsed as TOML (no schema), with `env(NAME)` values substituted as the Supabase CLI does. */
export function readConfigToml(configPath: string, env: Record<string, string | undefined>): unknown {
  try {
    return substituteEnv(parseToml(readFileSync(configPath, 'utf8')), env);
  } catch (error) {
    throw new StackError('config_invalid', `${configPath}: ${(error as Error).message}`, 'config', {
      cause: error,
    });
  }
}

/** `env(NAME)` in any string value is replaced as the Supabase CLI does. */
function substituteEnv(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') {
    const match = /^env\((\w+)\)$/.exec(value.trim());
    return match ? (env[match[1] as string] ?? '') : value;
  }
  if (Array.isArray(value)) return value.map((item) => substituteEnv(item, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, substituteEnv(inner, env)]));
  }
  return value;
}

export function locationOf(workdir: string, projectId: string): ProjectLocation {
  const supabaseDir = join(workdir, 'supabase');
  return {
    workdir,
    supabaseDir,
    configPath: join(supabaseDir, 'config.toml'),
    projectId,
    stateDir: join(stateRootOf(workdir), projectId),
  };
}

/**
 * The project's location from config.toml's `project_id` alone. A `project_id` that is not
 * text falls back to the default here; `loadConfig` reports it when the stack starts.
 */
export function locateProject(
  options: { workdir?: string; cwd?: string; env?: Record<string, string | undefined> } = {},
): ProjectLocation {
  const workdir = resolveWorkdir(options);
  const raw = readConfigToml(join(workdir, 'supabase', 'config.toml'), options.env ?? process.env);
  const projectId = (raw as { project_id?: unknown }).project_id;
  return locationOf(workdir, typeof projectId === 'string' ? projectId : DEFAULT_PROJECT_ID);
}

/**
 * Creates the state folder. When it sits under the project's `.groundwork/`, that folder gets
 * a `.gitignore` of `*`, so the runtime state never shows up as untracked in the user's git
 * whatever their own `.gitignore` says; a state folder elsewhere (test stacks) ignores itself.
 */
export function createStateDir(location: { workdir: string; stateDir: string }): void {
  mkdirSync(location.stateDir, { recursive: true });
  const root = stateRootOf(location.workdir);
  const ignoredFolder = location.stateDir.startsWith(`${root}${sep}`) ? root : location.stateDir;
  const ignoreFile = join(ignoredFolder, '.gitignore');
  if (!existsSync(ignoreFile)) {
    writeFileSync(ignoreFile, '# Written by groundwork: local runtime state, never committed.\n*\n');
  }
}

/** Resolves a path written in config.toml, which the CLI reads relative to `supabase/`. */
export function resolveProjectPath(config: { supabaseDir: string }, path: string): string {
  return isAbsolute(path) ? path : resolve(config.supabaseDir, path);
}
