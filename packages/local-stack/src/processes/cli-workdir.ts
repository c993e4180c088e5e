import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Keys of Supabase CLI 2's config.toml that CLI 3 (the one we run) refuses to load, with the
 * key that replaced each. groundwork reads both spellings itself; the real CLI only reads
 * the new one, so it is handed a copy of config.toml in the new spelling.
 */
function renameRemovedKeys(scope: Table): boolean {
  let changed = false;
  const moveTable = (from: Table, oldKey: string, to: Table, newKey: string) => {
    if (!Object.hasOwn(from, oldKey)) return;
    const old = from[oldKey];
    to[newKey] = isTable(old) && isTable(to[newKey]) ? { ...old, ...to[newKey] } : (to[newKey] ?? old);
    delete from[oldKey];
    changed = true;
  };
  moveTable(scope, 'inbucket', scope, 'local_smtp');
  const external = isTable(scope.auth) ? scope.auth.external : undefined;
  if (isTable(external)) {
    moveTable(external, 'linkedin', external, 'linkedin_oidc');
    moveTable(external, 'slack', external, 'slack_oidc');
  }
  const experimental = scope.experimental;
  if (isTable(experimental) && Object.hasOwn(experimental, 'orioledb_version')) {
    const version = experimental.orioledb_version;
    delete experimental.orioledb_version;
    if (version !== '') {
      scope.db = { ...(isTable(scope.db) ? scope.db : {}), orioledb_version: version };
    }
    changed = true;
  }
  return changed;
}

/** config.toml in the spelling CLI 3 accepts, or undefined when it already is. */
export function cliCompatibleConfig(text: string): string | undefined {
  const document = parseToml(text) as Table;
  let changed = renameRemovedKeys(document);
  if (isTable(document.remotes)) {
    for (const remote of Object.values(document.remotes)) {
      if (isTable(remote)) changed = renameRemovedKeys(remote) || changed;
    }
  }
  return changed ? stringifyToml(document) : undefined;
}

export interface CliWorkdir {
  /** What to pass as the CLI's `--workdir`. */
  path: string;
  dispose(): void;
}

/**
 * The project itself, or — when its config.toml uses keys CLI 3 removed — a scratch folder
 * whose `supabase/` holds the translated config.toml beside links to everything else in the
 * project's `supabase/` (migrations, functions, seed), so the CLI sees the same project.
 */
export function cliWorkdirFor(workdir: string): CliWorkdir {
  const supabaseDir = join(workdir, 'supabase');
  const translated = cliCompatibleConfig(readFileSync(join(supabaseDir, 'config.toml'), 'utf8'));
  if (translated === undefined) return { path: workdir, dispose: () => {} };
  const scratch = mkdtempSync(join(tmpdir(), 'groundwork-cli-workdir-'));
  mkdirSync(join(scratch, 'supabase'));
  for (const entry of readdirSync(supabaseDir)) {
    if (entry !== 'config.toml') symlinkSync(join(supabaseDir, entry), join(scratch, 'supabase', entry));
  }
  writeFileSync(join(scratch, 'supabase', 'config.toml'), translated);
  return { path: scratch, dispose: () => rmSync(scratch, { recursive: true, force: true }) };
}
