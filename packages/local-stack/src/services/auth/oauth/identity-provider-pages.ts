/** A test user of the local identity provider: whoever the developer picks or types. */
export interface TestUser {
  email: string;
  name: string;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const STYLE =
  'body{font:15px system-ui;margin:3rem auto;max-width:28rem}form{margin:1rem 0}button{font:inherit;padding:.4rem .8rem;margin:.2rem 0;width:100%;text-align:left}input{font:inherit;padding:.3rem;width:100%;box-sizing:border-box;margin:.2rem 0}.note{color:#666;font-size:13px}.problem{color:#b00}';

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The sign-in page an app's OAuth redirect lands on: pick a test user or type one. */
export function loginPage(options: {
  uid: string;
  provider: string;
  users: readonly TestUser[];
  problem?: string;
}): string {
  const action = `/interaction/${encodeURIComponent(options.uid)}/login`;
  const presets = options.users
    .map(
      (user) =>
        `<form method="post" action="${action}"><input type="hidden" name="email" value="${escapeHtml(user.email)}">` +
        `<input type="hidden" name="name" value="${escapeHtml(user.name)}">` +
        `<button type="submit" data-email="${escapeHtml(user.email)}">Continue as ${escapeHtml(user.name)} &lt;${escapeHtml(user.email)}&gt;</button></form>`,
    )
    .join('');
  return page(
    `Sign in with ${options.provider}`,
    `<h1>Sign in with ${escapeHtml(options.provider)}</h1>
<p class="note">groundwork's local test identity provider stands in for ${escapeHtml(options.provider)}: no real account is used.</p>
${options.problem ? `<p class="problem">${escapeHtml(options.problem)}</p>` : ''}
${presets}
<form method="post" action="${action}" id="typed"><label>Email <input name="email" type="email" required></label>
<label>Name <input name="name"></label><button type="submit">Continue as this user</button></form>
<form method="post" action="/interaction/${encodeURIComponent(options.uid)}/cancel"><button type="submit">Cancel (the app gets access_denied)</button></form>`,
  );
}

/** The provider's front page: a form that issues an ID token for signInWithIdToken. */
export function idTokenPage(options: {
  clients: readonly { provider: string; clientId: string }[];
  users: readonly TestUser[];
}): string {
  const clients = options.clients
    .map((client) => `<option value="${escapeHtml(client.clientId)}">${escapeHtml(client.provider)}</option>`)
    .join('');
  return page(
    'Local identity provider',
    `<h1>Local identity provider</h1>
<p class="note">Stands in for: ${options.clients.map((client) => escapeHtml(client.provider)).join(', ')}. OIDC discovery at
<a href="/.well-known/openid-configuration">/.well-known/openid-configuration</a>.</p>
<h2>ID token for signInWithIdToken</h2>
<form method="post" action="/dev/id-token"><label>Provider <select name="client_id">${clients}</select></label>
<label>Email <input name="email" value="${escapeHtml(options.users[0]?.email ?? '')}"></label>
<label>Name <input name="name" value="${escapeHtml(options.users[0]?.name ?? '')}"></label>
<label>Nonce (sha256 hex of the nonce given to signInWithIdToken, optional) <input name="nonce"></label>
<button type="submit">Issue ID token</button></form>`,
  );
}
