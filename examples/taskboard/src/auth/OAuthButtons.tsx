/**
 * "Continue with GitHub" and the like, for the providers the app is told are enabled
 * (GROUNDWORK_OAUTH_PROVIDERS: `[auth.external.<provider>]` in config.toml). Locally the stack's
 * test identity provider answers for each; on hosted the real provider does, with the same code.
 */
import type { GroundworkClient } from '@groundwork/sdk';
import { useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert } from '../ui.tsx';

const NAMES: Record<string, string> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  google: 'Google',
  azure: 'Microsoft',
  linkedin_oidc: 'LinkedIn',
  slack_oidc: 'Slack',
};

export function enabledProviders(): string[] {
  const list = (import.meta.env.GROUNDWORK_OAUTH_PROVIDERS as string | undefined) ?? '';
  return list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

export function OAuthButtons({ gw }: { gw: GroundworkClient }) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const providers = enabledProviders();
  if (providers.length === 0) return null;
  async function start(provider: string) {
    setProblem(null);
    // The SDK's auth module has no OAuth method; its supabase-js client (gw.supabase) has, and
    // sends the browser to the provider, coming back here with the session in the address.
    const { error } = await gw.supabase.auth.signInWithOAuth({
      provider: provider as 'github',
      options: { redirectTo: window.location.href },
    });
    if (error) setProblem(describeError(error));
  }
  return (
    <div className="oauth">
      {providers.map((provider) => (
        <button key={provider} type="button" className="secondary" onClick={() => void start(provider)}>
          Continue with {NAMES[provider] ?? provider}
        </button>
      ))}
      <Alert problem={problem} />
    </div>
  );
}
