import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { createAuthService } from '../../src/services/auth/index.ts';
import { createMailCatcherService } from '../../src/services/mail/index.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';

// Node 20 has no global WebSocket; supabase-js wants one for its (unused here) realtime client.
const NODE_REALTIME = { transport: WebSocket as never };

export const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** A stack for one fixture project with only the mail catcher and Auth mounted. */
export function startAuthStack(project: string): Promise<TestStack> {
  return startTestStack({
    workdir: fixture(project),
    services: [createMailCatcherService, createAuthService],
  });
}

/** A supabase-js client as an app would make it, without storage or timers between tests. */
export function clientFor(
  stack: TestStack,
  options: { flowType?: 'implicit' | 'pkce'; key?: string; clientIp?: string } = {},
): SupabaseClient {
  return createClient(stack.apiUrl, options.key ?? stack.keys.anonKey, {
    ...(options.clientIp ? { global: { headers: { 'x-forwarded-for': options.clientIp } } } : {}),
    auth: {
      persistSession: false,
      autoRefreshToken: false,
      detectSessionInUrl: false,
      flowType: options.flowType ?? 'implicit',
    },
    realtime: NODE_REALTIME,
  });
}

export function adminClient(stack: TestStack): SupabaseClient {
  return clientFor(stack, { key: stack.keys.serviceRoleKey });
}

/** A client acting with a given access token, for REST calls that RLS must judge. */
export function restAs(stack: TestStack, accessToken: string): SupabaseClient {
  return createClient(stack.apiUrl, stack.keys.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: `Bearer ${accessToken}` } },
    realtime: NODE_REALTIME,
  });
}

interface MailSummary {
  ID: string;
  Subject: string;
  To: { Address: string }[];
}

/** The newest mail to `address` from the mail catcher's Mailpit API, waiting briefly for delivery. */
export async function latestMailTo(
  stack: TestStack,
  address: string,
  subject?: string,
): Promise<{ HTML: string; Text: string; Subject: string }> {
  const mailUrl = `http://${stack.config.host}:${stack.config.ports.mail}`;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const response = await fetch(`${mailUrl}/api/v1/search?query=${encodeURIComponent(`to:${address}`)}`);
    const { messages } = (await response.json()) as { messages: MailSummary[] };
    const match = messages.find((message) => !subject || message.Subject === subject);
    if (match) {
      const full = await fetch(`${mailUrl}/api/v1/message/${match.ID}`);
      return (await full.json()) as { HTML: string; Text: string; Subject: string };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${address}${subject ? ` with subject ${subject}` : ''}`);
}

export function linkIn(html: string): string {
  const match = /href="([^"]+\/auth\/v1\/verify\?[^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no verify link in mail');
  return match[1].replace(/&amp;/g, '&');
}

export function codeIn(html: string): string {
  const match = /(\d{6})/.exec(html.replace(/token=[^"&]+/g, ''));
  if (!match?.[1]) throw new Error('no code in mail');
  return match[1];
}

export function uniqueEmail(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** Follows a /verify link without following the redirect, returning where it points. */
export async function openLink(link: string): Promise<URL> {
  const response = await fetch(link, { redirect: 'manual' });
  if (response.status !== 303) throw new Error(`expected 303 from ${link}, got ${response.status}`);
  return new URL(response.headers.get('location') ?? '');
}

export function fragmentOf(url: URL): URLSearchParams {
  return new URLSearchParams(url.hash.slice(1));
}
