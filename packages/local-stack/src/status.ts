import type { StackConfig } from './config/load-config.ts';
import type { ProjectKeys } from './config/project-keys.ts';
import { databaseUrl } from './processes/postgres.ts';
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

export function formatStatusEnv(status: StackStatus): string {
  return `${Object.entries(status)
    .map(([name, value]) => `${name}="${value}"`)
    .join('\n')}\n`;
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

export function formatStatusPretty(status: StackStatus): string {
  const width = Math.max(...Object.values(LABELS).map((label) => label.length));
  return `${(Object.keys(LABELS) as (keyof StackStatus)[])
    .filter((name) => name !== 'INBUCKET_URL')
    .map((name) => {
      const note = NOT_SERVED.has(name) ? '  (not served by groundwork)' : '';
      return `${LABELS[name].padStart(width)}: ${status[name]}${note}`;
    })
    .join('\n')}\n`;
}
