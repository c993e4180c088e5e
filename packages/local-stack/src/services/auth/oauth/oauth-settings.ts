import type { ConfigToml } from '../../../config/config-schema.ts';

/** GoTrue's built-in external providers; any other `provider` "could not be found". */
export const KNOWN_PROVIDERS: readonly string[] = [
  'apple',
  'azure',
  'bitbucket',
  'discord',
  'facebook',
  'figma',
  'fly',
  'github',
  'gitlab',
  'google',
  'keycloak',
  'kakao',
  'linkedin',
  'linkedin_oidc',
  'notion',
  'spotify',
  'slack',
  'slack_oidc',
  'workos',
  'twitch',
  'twitter',
  'x',
  'zoom',
];

/** One `[auth.external.<provider>]` section as Auth uses it. */
export interface OAuthProviderSettings {
  name: string;
  enabled: boolean;
  /** The OAuth client id; locally the identity provider registers a client with it (the provider's name when empty). */
  clientId: string;
  secret: string;
  /** `skip_nonce_check`: signInWithIdToken accepts an ID token whose nonce it cannot check. */
  skipNonceCheck: boolean;
}

export function oauthProvidersFrom(auth: ConfigToml['auth']): Map<string, OAuthProviderSettings> {
  const providers = new Map<string, OAuthProviderSettings>();
  for (const [name, section] of Object.entries(auth.external)) {
    if (!KNOWN_PROVIDERS.includes(name)) continue;
    providers.set(name, {
      name,
      enabled: section.enabled,
      clientId: section.client_id || name,
      secret: section.secret || `local-${name}-secret`,
      skipNonceCheck: section.skip_nonce_check,
    });
  }
  return providers;
}
