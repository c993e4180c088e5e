/**
 * Where Auth may send a browser back to: `site_url`'s host, or a URL matching one of
 * `additional_redirect_urls`, whose patterns are globs as in GoTrue (`*` stops at `.`
 * and `/`, `**` crosses them). Anything else falls back to `site_url`.
 */
export interface RedirectPolicy {
  siteUrl: string;
  additionalRedirectUrls: readonly string[];
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index] as string;
    if (char === '*' && pattern[index + 1] === '*') {
      source += '.*';
      index += 1;
    } else if (char === '*') {
      source += '[^./]*';
    } else if (char === '?') {
      source += '[^./]';
    } else {
      source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

export function isAllowedRedirect(policy: RedirectPolicy, redirectTo: string): boolean {
  const target = parseUrl(redirectTo);
  if (!target) return false;
  const site = parseUrl(policy.siteUrl);
  if (site && site.hostname === target.hostname) return true;
  // GoTrue matches patterns against the URL without its fragment.
  const bare = redirectTo.split('#')[0] as string;
  return policy.additionalRedirectUrls.some(
    (pattern) => pattern === bare || globToRegExp(pattern).test(bare),
  );
}

/** The redirect to use for a request's `redirect_to`, falling back to `site_url`. */
export function resolveRedirect(policy: RedirectPolicy, redirectTo: string | undefined): string {
  if (redirectTo && isAllowedRedirect(policy, redirectTo)) return redirectTo;
  return policy.siteUrl;
}
