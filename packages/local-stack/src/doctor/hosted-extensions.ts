import { HOSTED_PRIVILEGED_EXTENSIONS } from '../database/extensions/hosted-extension-trust.ts';

/**
 * Extensions a hosted project can create: the privileged ones supautils creates for
 * `postgres`, plus those hosted ships that their own control files (or Postgres) mark
 * trusted. Anything else is not installed on hosted at all.
 */
export const HOSTED_EXTENSIONS: ReadonlySet<string> = new Set([
  ...HOSTED_PRIVILEGED_EXTENSIONS,
  'amcheck',
  'hypopg',
  'index_advisor',
  'lo',
  'pg_buffercache',
  'pg_partman',
  'pg_prewarm',
  'pg_repack',
  'pg_surgery',
  'pg_tle',
  'pg_visibility',
  'pgmq',
  'pgstattuple',
  'vector',
]);
