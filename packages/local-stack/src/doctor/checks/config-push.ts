import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { StackConfig } from '../../config/load-config.ts';
import { type Finding, lineAt } from '../finding.ts';

type Table = Record<string, unknown>;
const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const LOCAL_ADDRESS = /^https?:\/\/(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(:|\/|$)/i;

/** Switched-on sections and set keys that `supabase config push` carries to the hosted project. */
function pushedSettings(toml: Table): Map<string, unknown> {
  const auth = isTable(toml.auth) ? toml.auth : {};
  const on = (table: unknown) => isTable(table) && table.enabled === true;
  const settings = new Map<string, unknown>();
  const addEnabled = (section: string, table: unknown) => {
    if (!isTable(table)) return;
    for (const [name, inner] of Object.entries(table))
      if (on(inner)) settings.set(`${section}.${name}`, inner);
  };
  if (typeof auth.site_url === 'string') settings.set('auth.site_url', auth.site_url);
  if (Array.isArray(auth.additional_redirect_urls) && auth.additional_redirect_urls.length > 0) {
    settings.set('auth.additional_redirect_urls', auth.additional_redirect_urls);
  }
  const email = isTable(auth.email) ? auth.email : {};
  if (on(email.smtp)) settings.set('auth.email.smtp', email.smtp);
  if (isTable(email.template)) {
    for (const [name, template] of Object.entries(email.template))
      settings.set(`auth.email.template.${name}`, template);
  }
  addEnabled('auth.hook', auth.hook);
  addEnabled('auth.external', auth.external);
  if (isTable(auth.sms)) addEnabled('auth.sms', auth.sms);
  return settings;
}

/** `NAME` of every `env(NAME)` value (not the ones in comments). */
function envReferences(value: unknown): string[] {
  if (typeof value === 'string') {
    const match = /^env\((\w+)\)$/.exec(value.trim());
    return match ? [match[1] as string] : [];
  }
  if (Array.isArray(value)) return value.flatMap(envReferences);
  return isTable(value) ? Object.values(value).flatMap(envReferences) : [];
}

function lineOf(text: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(text);
  return match ? lineAt(text, match.index) : undefined;
}

/**
 * Hosted never reads config.toml: what it says about Auth reaches a project only through
 * `supabase config push`, buckets through `supabase seed buckets`, function secrets through
 * `supabase secrets set`. Said as notices (work for the deploy), and as a warning where the
 * local value would break a hosted project.
 */
export function checkConfigPush(config: StackConfig): Finding[] {
  const path = join(config.supabaseDir, 'config.toml');
  const text = readFileSync(path, 'utf8');
  // Unsubstituted, so env(NAME) values show as written.
  const toml = parseToml(text) as Table;
  const file = relative(config.workdir, path);
  const findings: Finding[] = [];
  const auth = isTable(toml.auth) ? toml.auth : {};

  const localUrls = [
    auth.site_url,
    ...(Array.isArray(auth.additional_redirect_urls) ? auth.additional_redirect_urls : []),
  ].filter((url): url is string => typeof url === 'string' && LOCAL_ADDRESS.test(url));
  if (localUrls.length > 0) {
    findings.push({
      kind: 'auth-url-local',
      severity: 'warning',
      file,
      line: lineOf(text, /^\s*site_url\s*=/m),
      message: `[auth] site_url / additional_redirect_urls name local addresses (${localUrls.join(', ')}): pushed as they are, hosted's emails would link to them`,
      fix: 'write site_url = "env(SITE_URL)" and set SITE_URL to the app\'s address when running supabase config push',
    });
  }

  const settings = pushedSettings(toml);
  if (settings.size > 0) {
    const variables = envReferences([...settings.values()]);
    findings.push({
      kind: 'config-not-pushed',
      severity: 'notice',
      file,
      line: lineOf(text, /^\[auth\]/m),
      message: `hosted doesn't read config.toml; these reach the project only when pushed: ${[...settings.keys()].join(', ')}`,
      fix: `supabase config push (it shows the changes and asks first)${variables.length ? `, with ${[...new Set(variables)].join(', ')} set in its environment` : ''}`,
    });
  }

  const storage = isTable(toml.storage) ? toml.storage : {};
  if (isTable(storage.buckets) && Object.keys(storage.buckets).length > 0) {
    findings.push({
      kind: 'buckets-not-pushed',
      severity: 'notice',
      file,
      line: lineOf(text, /^\[storage\.buckets\./m),
      message: `buckets declared in config.toml (${Object.keys(storage.buckets).join(', ')}) are not created on hosted by db push`,
      fix: 'supabase seed buckets (or create them in a migration)',
    });
  }

  const edge = isTable(toml.edge_runtime) ? toml.edge_runtime : {};
  if (isTable(edge.secrets) && Object.keys(edge.secrets).length > 0) {
    findings.push({
      kind: 'secrets-not-pushed',
      severity: 'notice',
      file,
      line: lineOf(text, /^\[edge_runtime\.secrets\]/m),
      message: `[edge_runtime.secrets] (${Object.keys(edge.secrets).join(', ')}) are local only`,
      fix: 'supabase secrets set NAME=value (or --env-file) on the hosted project',
    });
  }
  return findings;
}
