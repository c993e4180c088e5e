import { stringify as stringifyToml } from 'smol-toml';
import type { StackConfig } from './config/load-config.ts';
import type { ProjectKeys } from './config/project-keys.ts';
import { databaseUrl } from './processes/database-url.ts';
import { MOUNTS } from './services/mounts.ts';

/**
 * The same variables `supabase status -o env` prints, so scripts written for the
 * Supabase CLI can source ours. Entries groundwork does not serve keep their names
 * (and the CLI's values) so the set stays identical; `served` says which are real.
 */
export interface StackStatus {
  API_URL: string;
  REST_URL: string;
  GRAPHQL_URL: string;
  STORAGE_S3_URL: string;
  MCP_URL: string;
  FUNCTIONS_URL: string;
  DB_URL: string;
  STUDIO_URL: string;
  INBUCKET_URL: string;
  MAILPIT_URL: string;
  PUBLISHABLE_KEY: string;
  SECRET_KEY: string;
  S3_PROTOCOL_ACCESS_KEY_ID: string;
  S3_PROTOCOL_ACCESS_KEY_SECRET: string;
  S3_PROTOCOL_REGION: string;
  ANON_KEY: string;
  SERVICE_ROLE_KEY: string;
  JWT_SECRET: string;
}

/** What `groundwork` does not serve (printed as such in the human-readable status). */
export const NOT_SERVED: ReadonlySet<keyof StackStatus> = new Set([
  'GRAPHQL_URL',
  'STORAGE_S3_URL',
  'MCP_URL',
  'STUDIO_URL',
  'S3_PROTOCOL_ACCESS_KEY_ID',
  'S3_PROTOCOL_ACCESS_KEY_SECRET',
  'S3_PROTOCOL_REGION',
]);

export function stackStatus(config: StackConfig, keys: ProjectKeys): StackStatus {
  const api = `http://${config.host}:${config.ports.api}`;
  const mail = `http://${config.host}:${config.ports.mail}`;
  return {
    API_URL: api,
    REST_URL: `${api}${MOUNTS.rest.path}`,
    GRAPHQL_URL: `${api}${MOUNTS.graphql.path}`,
    STORAGE_S3_URL: `${api}${MOUNTS.storage.path}/s3`,
    MCP_URL: `${api}/mcp`,
    FUNCTIONS_URL: `${api}${MOUNTS.functions.path}`,
    DB_URL: databaseUrl(config.ports.db),
    STUDIO_URL: `http://${config.host}:54323`,
    INBUCKET_URL: mail,
    MAILPIT_URL: mail,
    PUBLISHABLE_KEY: keys.publishableKey,
    SECRET_KEY: keys.secretKey,
    // The Supabase CLI's fixed local S3 credentials; groundwork serves no S3 protocol.
    S3_PROTOCOL_ACCESS_KEY_ID: '625729a08b95bf1b7ff351a663f3a23c',
    S3_PROTOCOL_ACCESS_KEY_SECRET: '850181e4652dd023b7a98c58ae0d2d34bd487ee0cc3254aed6eda37307425907',
    S3_PROTOCOL_REGION: 'local',
    ANON_KEY: keys.anonKey,
    SERVICE_ROLE_KEY: keys.serviceRoleKey,
    JWT_SECRET: keys.jwtSecret,
  };
}

/** The encodings `supabase status -o` offers for its variables. */
export const STATUS_FORMATS = ['pretty', 'env', 'json', 'toml', 'yaml'] as const;
export type StatusFormat = (typeof STATUS_FORMATS)[number];

/**
 * The status in one of `supabase status -o`'s formats. The CLI encodes a Go map, so every
 * machine-readable format lists the variables sorted by name.
 */
export function formatStatus(status: StackStatus, format: StatusFormat): string {
  if (format === 'pretty') return formatStatusPretty(status);
  const sorted = Object.entries(status).sort(([a], [b]) => (a < b ? -1 : 1));
  switch (format) {
    case 'env':
      return `${sorted.map(([name, value]) => `${name}=${envValue(value)}`).join('\n')}\n`;
    case 'json':
      return `${JSON.stringify(Object.fromEntries(sorted), null, 2)}\n`;
    case 'toml':
      return stringifyToml(Object.fromEntries(sorted));
    case 'yaml':
      return `${sorted.map(([name, value]) => `${name}: ${yamlScalar(value)}`).join('\n')}\n`;
  }
}

/** As godotenv (the CLI's encoder) writes a value: integers bare, anything else double-quoted and escaped. */
function envValue(value: string): string {
  if (/^[+-]?\d+$/.test(value)) return value;
  const escaped = value.replace(/[\\"!$`\n\r]/g, (char) =>
    char === '\n' ? '\\n' : char === '\r' ? '\\r' : `\\${char}`,
  );
  return `"${escaped}"`;
}

/** YAML words that a plain scalar would turn into a boolean, null or number. */
const YAML_TYPED =
  /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?(?:\d[\d_]*(?:\.\d*)?(?:e[-+]?\d+)?|\.inf|\.nan|0x[\da-f]+|0o[0-7]+))$/i;

/** Plain when YAML reads it back as the same text (URLs, keys), double-quoted otherwise. */
function yamlScalar(value: string): string {
  const plain = /^[A-Za-z0-9_./][A-Za-z0-9_./:@%+=,~-]*$/.test(value) && !YAML_TYPED.test(value);
  return plain ? value : JSON.stringify(value);
}

const LABELS: Record<keyof StackStatus, string> = {
  API_URL: 'API URL',
  REST_URL: 'REST URL',
  GRAPHQL_URL: 'GraphQL URL',
  STORAGE_S3_URL: 'S3 Storage URL',
  MCP_URL: 'MCP URL',
  FUNCTIONS_URL: 'Functions URL',
  DB_URL: 'Database URL',
  STUDIO_URL: 'Studio URL',
  INBUCKET_URL: 'Inbucket URL',
  MAILPIT_URL: 'Mailpit URL',
  PUBLISHABLE_KEY: 'Publishable key',
  SECRET_KEY: 'Secret key',
  S3_PROTOCOL_ACCESS_KEY_ID: 'S3 Access Key',
  S3_PROTOCOL_ACCESS_KEY_SECRET: 'S3 Secret Key',
  S3_PROTOCOL_REGION: 'S3 Region',
  ANON_KEY: 'anon key',
  SERVICE_ROLE_KEY: 'service_role key',
  JWT_SECRET: 'JWT secret',
};

/** Printed after the Mailpit URL in the human-readable status only: `supabase status -o` has no such variable. */
const SMS_CATCHER_LABEL = 'SMS catcher URL';

export function formatStatusPretty(status: StackStatus): string {
  const width = Math.max(...[...Object.values(LABELS), SMS_CATCHER_LABEL].map((label) => label.length));
  return `${(Object.keys(LABELS) as (keyof StackStatus)[])
    .filter((name) => name !== 'INBUCKET_URL')
    .flatMap((name) => {
      const note = NOT_SERVED.has(name) ? '  (not served by groundwork)' : '';
      const line = `${LABELS[name].padStart(width)}: ${status[name]}${note}`;
      if (name !== 'MAILPIT_URL') return [line];
      return [line, `${SMS_CATCHER_LABEL.padStart(width)}: ${status.API_URL}${MOUNTS.sms.path}`];
    })
    .join('\n')}\n`;
}
