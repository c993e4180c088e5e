import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configTomlSchema } from './config-schema.ts';
import { findUnsupportedSettings } from './unsupported-settings.ts';

describe('findUnsupportedSettings', () => {
  it('names every switched-on section groundwork does not serve, and nothing it serves (auth.mfa.totp, auth.mfa.web_authn, auth.passkey are served)', () => {
    const toml = {
      api: { enabled: true },
      studio: { enabled: true },
      storage: { enabled: true, s3_protocol: { enabled: true }, buckets: { images: { enabled: true } } },
      auth: {
        enabled: true,
        email: { enabled: true, smtp: { enabled: true, host: 'smtp.example.com' } },
        sms: { enabled: true, twilio: { enabled: true } },
        external: { github: { enabled: true }, apple: { enabled: false } },
        mfa: {
          totp: { enroll_enabled: true, verify_enabled: false },
          web_authn: { enroll_enabled: true },
          phone: { enroll_enabled: true },
        },
        passkey: { enabled: true },
        hook: {
          custom_access_token: { enabled: true },
          send_sms: { enabled: true },
          send_email: { enabled: true },
        },
      },
      functions: { 'invite-member': { enabled: true } },
    };
    expect(findUnsupportedSettings(toml)).toEqual([
      'studio',
      'storage.s3_protocol',
      'auth.mfa.phone',
      'auth.hook.send_email',
    ]);
  });

  it('finds nothing when only served sections are on', () => {
    expect(findUnsupportedSettings({ api: { enabled: true }, realtime: { enabled: true } })).toEqual([]);
  });

  it('counts a section as served exactly when the schema declares it', () => {
    const toml = { studio: { enabled: true }, auth: { email: { smtp: { enabled: true } } } };
    const withoutSmtp = z.looseObject({ auth: z.looseObject({ email: z.looseObject({}) }).optional() });
    expect(findUnsupportedSettings(toml, withoutSmtp)).toEqual(['studio', 'auth.email.smtp']);

    const withStudio = configTomlSchema.extend({
      studio: z.looseObject({ enabled: z.boolean() }).optional(),
    });
    expect(findUnsupportedSettings(toml, withStudio)).toEqual([]);
    expect(findUnsupportedSettings(toml)).toEqual(['studio']);
  });

  it('reports what the repository’s own config.toml switches on that groundwork does not serve', () => {
    const toml = parseToml(
      readFileSync(new URL('../../../../supabase/config.toml', import.meta.url), 'utf8'),
    );
    expect(findUnsupportedSettings(toml)).toEqual([
      'studio',
      'storage.s3_protocol',
      'storage.vector',
      'analytics',
      'experimental.pgdelta',
    ]);
  });
});
