import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { EmailTemplate } from './settings.ts';

export type EmailKind =
  | 'confirmation'
  | 'invite'
  | 'magic_link'
  | 'recovery'
  | 'email_change'
  | 'reauthentication';

export interface TemplateValues {
  ConfirmationURL: string;
  Token: string;
  TokenHash: string;
  SiteURL: string;
  RedirectTo: string;
  Email: string;
  NewEmail: string;
  Data: Record<string, unknown>;
}

/** GoTrue's default subjects; bodies say the same things in our own words. */
const DEFAULTS: Record<EmailKind, { subject: string; body: string }> = {
  confirmation: {
    subject: 'Confirm Your Email',
    body: '<h2>Confirm your email</h2><p>Open this link to confirm your address:</p><p><a href="{{ .ConfirmationURL }}">Confirm your email address</a></p><p>Or enter this code: {{ .Token }}</p>',
  },
  invite: {
    subject: 'You have been invited',
    body: '<h2>You have been invited</h2><p>You were invited to create an account on {{ .SiteURL }}. Open this link to accept:</p><p><a href="{{ .ConfirmationURL }}">Accept the invite</a></p><p>Or enter this code: {{ .Token }}</p>',
  },
  magic_link: {
    subject: 'Your Magic Link',
    body: '<h2>Magic Link</h2><p>Open this link to sign in:</p><p><a href="{{ .ConfirmationURL }}">Log In</a></p><p>Or enter this code: {{ .Token }}</p>',
  },
  recovery: {
    subject: 'Reset Your Password',
    body: '<h2>Reset Password</h2><p>Open this link to reset your password:</p><p><a href="{{ .ConfirmationURL }}">Reset Password</a></p><p>Or enter this code: {{ .Token }}</p>',
  },
  email_change: {
    subject: 'Confirm Email Change',
    body: '<h2>Confirm email address change</h2><p>Open this link to confirm changing your email from {{ .Email }} to {{ .NewEmail }}:</p><p><a href="{{ .ConfirmationURL }}">Change email address</a></p><p>Or enter this code: {{ .Token }}</p>',
  },
  reauthentication: {
    subject: 'Confirm reauthentication',
    body: '<h2>Confirm reauthentication</h2><p>Enter this code: {{ .Token }}</p>',
  },
};

/** Fills Go-template placeholders (`{{ .Token }}`, `{{ .Data.name }}`); other template logic is not supported. */
export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(
    /\{\{\s*\.([A-Za-z]+)(?:\.([A-Za-z0-9_]+))?\s*\}\}/g,
    (whole, name: string, key?: string) => {
      if (name === 'Data' && key) {
        const value = values.Data[key];
        return value === undefined || value === null ? '' : String(value);
      }
      const value = (values as unknown as Record<string, unknown>)[name];
      return typeof value === 'string' ? value : whole;
    },
  );
}

/** The subject and HTML for a kind of mail, honouring `[auth.email.template.<kind>]`. */
export function renderEmail(
  kind: EmailKind,
  values: TemplateValues,
  custom: Record<string, EmailTemplate>,
  supabaseDir: string,
): { subject: string; html: string } {
  const fallback = DEFAULTS[kind];
  const override = custom[kind];
  let body = fallback.body;
  if (override?.contentPath) {
    // The CLI resolves content_path against the project folder (the parent of supabase/).
    const path = isAbsolute(override.contentPath)
      ? override.contentPath
      : join(supabaseDir, '..', override.contentPath);
    try {
      body = readFileSync(path, 'utf8');
    } catch {
      body = fallback.body;
    }
  }
  return {
    subject: fillTemplate(override?.subject ?? fallback.subject, values),
    html: fillTemplate(body, values),
  };
}
