/**
 * Runs an OAuth sign-in through the stack's local identity provider over plain HTTP, as a
 * browser would (its cookies kept, redirects followed by hand), signing in on the provider's
 * page as `email`. Stops at the first redirect to a URL starting with `stopAt` (the app's
 * redirect_to, or Auth's /callback to see the provider's answer) and returns it unvisited.
 *
 * @example
 * ```ts
 * const { data } = await supabase.auth.signInWithOAuth({
 *   provider: 'github',
 *   options: { redirectTo: 'http://127.0.0.1:3000/done', skipBrowserRedirect: true },
 * });
 * const back = await followOAuthFlow(data.url, { email: 'ada@example.com', stopAt: 'http://127.0.0.1:3000/done' });
 * const tokens = new URLSearchParams(back.hash.slice(1)); // access_token, refresh_token, provider_token…
 * ```
 */
export async function followOAuthFlow(
  authorizeUrl: string,
  options: { email: string; name?: string; stopAt: string },
): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = authorizeUrl;
  let form: URLSearchParams | undefined;
  for (let hop = 0; hop < 10; hop += 1) {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      ...(form ? { body: form } : {}),
    });
    for (const header of response.headers.getSetCookie()) {
      const [name, ...value] = (header.split(';')[0] ?? '').split('=');
      if (name) cookies.set(name, value.join('='));
    }
    form = undefined;
    const location = response.headers.get('location');
    if (location) {
      await response.arrayBuffer();
      const next = new URL(location, url);
      if (next.href.startsWith(options.stopAt)) return next;
      url = next.href;
      continue;
    }
    // Not a redirect: the provider's sign-in page, whose form takes the test user.
    const page = await response.text();
    const action = /action="(\/interaction\/[^"]+\/login)"/.exec(page)?.[1];
    if (!action) throw new Error(`no sign-in form at ${url} (${response.status}): ${page.slice(0, 200)}`);
    url = new URL(action, url).href;
    form = new URLSearchParams({ email: options.email, name: options.name ?? '' });
  }
  throw new Error(`more than 10 redirects from ${authorizeUrl}`);
}
