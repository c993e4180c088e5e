import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceContext } from '../service.ts';
import { parseDotenv } from './dotenv.ts';
import { functionsDirOf } from './function-catalog.ts';

export type FunctionEnv = Record<string, string>;

/** The file `supabase functions serve` reads secrets from; git-ignored. */
export function dotenvPathOf(context: Pick<ServiceContext, 'config'>): string {
  return join(functionsDirOf(context.config), '.env');
}

/**
 * The environment a function sees, as on hosted Supabase. Layers, weakest first:
 *  1. local stand-ins for secrets a deployed project sets itself (SMTP → the mail
 *     catcher, SITE_URL → [auth] site_url), so functions that send mail work locally;
 *  2. `[edge_runtime.secrets]` in config.toml;
 *  3. `supabase/functions/.env`;
 *  4. the `SUPABASE_*` defaults, which hosted does not let secrets override.
 * Read again for every process start, so editing `.env` takes effect on reload.
 */
export function functionEnv(context: ServiceContext): FunctionEnv {
  const { config, keys } = context;
  const localStandIns: FunctionEnv = {
    SMTP_HOST: context.smtp.host,
    SMTP_PORT: String(context.smtp.port),
    SMTP_USER: '',
    SMTP_PASS: '',
    SMTP_SENDER: 'Groundwork <no-reply@groundwork.local>',
    SITE_URL: config.toml.auth.site_url,
  };
  const fromConfig = config.toml.edge_runtime.secrets;
  const path = dotenvPathOf(context);
  const fromDotenv = existsSync(path) ? parseDotenv(readFileSync(path, 'utf8')) : {};
  const supabaseDefaults: FunctionEnv = {
    SUPABASE_URL: context.apiUrl,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    SUPABASE_DB_URL: context.databaseUrl('postgres'),
    // The new API keys come as JSON dictionaries keyed by the key's name.
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
    SUPABASE_JWKS: JSON.stringify(keys.jwks),
    SB_REGION: 'local',
  };
  return { ...localStandIns, ...fromConfig, ...fromDotenv, ...supabaseDefaults };
}

// How this machine reaches the network; Deno needs them to download npm packages
// behind a proxy or a private certificate authority.
const MACHINE_SETTINGS = [
  'PATH',
  'HOME',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'DENO_CERT',
  'DENO_TLS_CA_STORE',
  'NODE_EXTRA_CA_CERTS',
  'NPM_CONFIG_REGISTRY',
];

export function machineEnv(env: Readonly<Record<string, string | undefined>>): FunctionEnv {
  return Object.fromEntries(
    MACHINE_SETTINGS.flatMap((name) => (env[name] ? [[name, env[name] as string]] : [])),
  );
}
