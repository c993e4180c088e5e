/**
 * The environment a function runs with, read in one place. `SUPABASE_*` are provided
 * by the platform (hosted, and the local stack); SMTP_* and SITE_URL are project
 * secrets (`supabase secrets set` on hosted; the local stack points them at its mail
 * catcher and [auth] site_url, and supabase/functions/.env overrides them).
 */
import { FunctionError } from './errors.ts';

function required(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export interface SupabaseSettings {
  url: string;
  anonKey: string;
}

export function supabaseSettings(): SupabaseSettings {
  return { url: required('SUPABASE_URL'), anonKey: required('SUPABASE_ANON_KEY') };
}

/** The service role key, for functions that write what no caller may (billing state). */
export function serviceRoleKey(): string {
  return required('SUPABASE_SERVICE_ROLE_KEY');
}

export interface SmtpSettings {
  host: string;
  port: number;
  user: string | undefined;
  pass: string | undefined;
  sender: string;
}

/** SMTP settings, or `email_not_sent` naming what is missing, so a deploy without secrets fails clearly. */
export function smtpSettings(): SmtpSettings {
  const host = Deno.env.get('SMTP_HOST');
  const sender = Deno.env.get('SMTP_SENDER');
  if (!host || !sender) {
    throw new FunctionError('email_not_sent', 'Email is not configured: set SMTP_HOST and SMTP_SENDER');
  }
  // Hosted Edge Functions may not connect to ports 25 and 587: implicit TLS on 465 is the default.
  const port = Number(Deno.env.get('SMTP_PORT') ?? '465');
  return {
    host,
    port: Number.isInteger(port) && port > 0 ? port : 465,
    user: Deno.env.get('SMTP_USER') || undefined,
    pass: Deno.env.get('SMTP_PASS') || undefined,
    sender,
  };
}

/** Where the app lives; links in emails point there. */
export function siteUrl(): string {
  return (Deno.env.get('SITE_URL') || 'http://127.0.0.1:3000').replace(/\/+$/, '');
}

export interface WebhookSettings {
  /** `WEBHOOK_ALLOWED_NETWORKS`: private ranges webhooks may reach (`loopback`, `private`, `link_local`). */
  allowedNetworks: string | undefined;
}

/**
 * Unset on hosted, so webhooks reach public addresses only; config.toml's
 * [edge_runtime.secrets] sets `loopback` locally, for receivers on localhost.
 */
export function webhookSettings(): WebhookSettings {
  return { allowedNetworks: Deno.env.get('WEBHOOK_ALLOWED_NETWORKS') };
}
