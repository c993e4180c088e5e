import { describe, expect, it } from 'vitest';
import { findUnsupportedSettings } from './unsupported-settings.ts';

describe('findUnsupportedSettings', () => {
  it('names every switched-on section groundwork does not serve, and nothing it serves', () => {
    const toml = {
      api: { enabled: true },
      studio: { enabled: true },
      storage: { enabled: true, s3_protocol: { enabled: true }, buckets: { images: { enabled: true } } },
      auth: {
        enabled: true,
        email: { enabled: true },
        sms: { enabled: false },
        external: { github: { enabled: true }, apple: { enabled: false } },
        mfa: { totp: { enroll_enabled: true, verify_enabled: false } },
        hook: { custom_access_token: { enabled: true }, send_email: { enabled: true } },
      },
      functions: { 'invite-member': { enabled: true } },
    };
    expect(findUnsupportedSettings(toml)).toEqual([
      'studio',
      'storage.s3_protocol',
      'auth.external.github',
      'auth.mfa.totp',
      'auth.hook.send_email',
    ]);
  });

  it('finds nothing when only served sections are on', () => {
    expect(findUnsupportedSettings({ api: { enabled: true }, realtime: { enabled: true } })).toEqual([]);
  });
});
