/**
 * `npm run dev`: the stack in the foreground (`groundwork dev`, its URLs, keys and logs) and the
 * example app (examples/taskboard, Vite's dev server) against it, with the app's URL printed once
 * both are up. Ctrl-C stops both.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, type ViteDevServer } from 'vite';

// The project to serve: this repository, or another folder holding supabase/ (first argument).
const repo = process.argv[2] ?? new URL('..', import.meta.url).pathname;
const appRoot = new URL('../examples/taskboard/', import.meta.url).pathname;
const groundwork = new URL('../node_modules/.bin/groundwork', import.meta.url).pathname;
// Auth's site_url (supabase/config.toml): the links in invitation mails open here.
const SITE_URL = 'http://127.0.0.1:3000';

interface Status {
  API_URL: string;
  PUBLISHABLE_KEY: string;
}

/** The running stack's status, once `groundwork dev` has written it (null until then). */
function readStatus(): Status | null {
  const result = spawnSync(groundwork, ['status', '-o', 'json'], { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) return null;
  try {
    return JSON.parse(result.stdout) as Status;
  } catch {
    return null;
  }
}

async function waitForStack(stack: ChildProcess): Promise<Status> {
  for (;;) {
    if (stack.exitCode !== null) process.exit(stack.exitCode);
    const status = readStatus();
    if (status) return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const stack = spawn(groundwork, ['dev'], { cwd: repo, stdio: 'inherit' });
let app: ViteDevServer | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    void app?.close();
    stack.kill(signal);
  });
}
stack.on('exit', (code) => {
  void app?.close().finally(() => process.exit(code ?? 1));
  if (!app) process.exit(code ?? 1);
});

/** The OAuth providers `[auth.external.*]` switches on, as Auth's public settings list them. */
async function enabledProviders(status: Status): Promise<string[]> {
  try {
    const response = await fetch(`${status.API_URL}/auth/v1/settings`, {
      headers: { apikey: status.PUBLISHABLE_KEY },
    });
    const { external } = (await response.json()) as { external?: Record<string, boolean> };
    const builtIn = new Set(['email', 'phone', 'anonymous_users']);
    return Object.entries(external ?? {})
      .filter(([name, on]) => on && !builtIn.has(name))
      .map(([name]) => name);
  } catch {
    return [];
  }
}

const status = await waitForStack(stack);
// The page is given the API URL, the publishable key and the providers to offer (its envPrefix).
process.env.GROUNDWORK_URL = status.API_URL;
process.env.GROUNDWORK_KEY = status.PUBLISHABLE_KEY;
process.env.GROUNDWORK_OAUTH_PROVIDERS = (await enabledProviders(status)).join(',');
app = await createServer({ root: appRoot });
await app.listen();
const url = app.resolvedUrls?.local[0] ?? SITE_URL;
console.log(`\nTaskboard example app: ${url}`);
if (!url.startsWith(SITE_URL)) {
  console.log(`(port 3000 was taken: links in invitation mails point at ${SITE_URL}, Auth's site_url)`);
}
