import { describe, expect, it } from 'vitest';
import { fillTemplate, renderEmail } from './email-templates.ts';

const values = {
  ConfirmationURL: 'http://x/verify?token=t',
  Token: '123456',
  TokenHash: 'hash',
  SiteURL: 'http://site',
  RedirectTo: 'http://site/next',
  Email: 'old@example.com',
  NewEmail: 'new@example.com',
  Data: { name: 'Ada' },
};

describe('email templates', () => {
  it('fills Go-template placeholders, including .Data keys', () => {
    expect(fillTemplate('{{ .Token }} {{.SiteURL}} {{ .Data.name }} {{ .Data.missing }}', values)).toBe(
      '123456 http://site Ada ',
    );
  });

  it('uses GoTrue default subjects and a configured subject override', () => {
    expect(renderEmail('recovery', values, {}, '/nowhere').subject).toBe('Reset Your Password');
    const custom = renderEmail('invite', values, { invite: { subject: 'Join {{ .SiteURL }}' } }, '/nowhere');
    expect(custom.subject).toBe('Join http://site');
    expect(custom.html).toContain('http://x/verify?token=t');
  });
});
