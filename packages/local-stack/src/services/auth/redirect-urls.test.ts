import { describe, expect, it } from 'vitest';
import { isAllowedRedirect, resolveRedirect } from './redirect-urls.ts';

const policy = {
  siteUrl: 'http://127.0.0.1:3000',
  additionalRedirectUrls: ['http://localhost:3000/**', 'https://*.example.com/callback', 'myapp://done'],
};

describe('redirect allow-list', () => {
  it('allows any path on the site_url host', () => {
    expect(isAllowedRedirect(policy, 'http://127.0.0.1:3000/deep/path?x=1')).toBe(true);
  });

  it('matches ** across path segments and * within one label', () => {
    expect(isAllowedRedirect(policy, 'http://localhost:3000/a/b/c')).toBe(true);
    expect(isAllowedRedirect(policy, 'https://app.example.com/callback')).toBe(true);
    expect(isAllowedRedirect(policy, 'https://a.b.example.com/callback')).toBe(false);
    expect(isAllowedRedirect(policy, 'myapp://done')).toBe(true);
  });

  it('refuses other hosts and non-URLs, falling back to site_url', () => {
    expect(isAllowedRedirect(policy, 'https://evil.example/steal')).toBe(false);
    expect(isAllowedRedirect(policy, 'not a url')).toBe(false);
    expect(resolveRedirect(policy, 'https://evil.example/steal')).toBe('http://127.0.0.1:3000');
    expect(resolveRedirect(policy, undefined)).toBe('http://127.0.0.1:3000');
  });
});
