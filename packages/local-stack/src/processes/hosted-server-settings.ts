/**
 * Server settings an app can observe (`show`, `current_setting()`, `pg_settings`, and the
 * results that depend on them) set as Supabase's Postgres image sets them in its
 * postgresql.conf (ansible/files/postgresql_config/postgresql.conf.j2 in supabase/postgres),
 * which `supabase start` runs unchanged. Hosted projects layer per-instance tuning on top
 * (e.g. a larger effective_cache_size on bigger instances); the image's values are the
 * baseline every project shares.
 *
 * Only settings that cost nothing locally are here. Deliberately different, in
 * postgres.ts: max_connections (200, the stack's own pools need more than the image's
 * 100) and shared_preload_libraries (only pg_stat_statements exists in these binaries).
 */
export const HOSTED_SERVER_SETTINGS: Readonly<Record<string, string>> = {
  // Planner: PostgreSQL's default is 4GB; the image says 128MB, which changes plans.
  effective_cache_size: '128MB',
  checkpoint_completion_target: '0.5',
  // now()::text, date_trunc('day', now()) and timestamptz output are in UTC on hosted,
  // whatever the developer's machine is set to.
  timezone: 'UTC',
  log_timezone: 'UTC',
  // The image keeps float8/float4 output rounded to 15/6 significant digits
  // (select 0.1::float8 + 0.2::float8 is 0.3, not 0.30000000000000004).
  extra_float_digits: '0',
  default_text_search_config: 'pg_catalog.english',
  row_security: 'on',
  password_encryption: 'scram-sha-256',
  max_replication_slots: '5',
  // In megabytes: a slot nobody reads may hold at most 1GB of WAL.
  max_slot_wal_keep_size: '1024',
  cluster_name: 'main',
  // pg_cron's database, as the image's Dockerfile sets it.
  'cron.database_name': 'postgres',
};

/** The settings as `postgres -c name=value` arguments. */
export function hostedServerSettingArgs(): string[] {
  return Object.entries(HOSTED_SERVER_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}
