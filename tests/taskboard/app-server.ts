/**
 * The example app as it ships: a production Vite build against the test stack (its API URL
 * and publishable key, nothing else), served by `vite preview` on a port the OS picks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin, preview } from 'vite';

export const appRoot = new URL('../../examples/taskboard/', import.meta.url).pathname;

export interface AppServer {
  /** http://127.0.0.1:<port>. */
  url: string;
  /**
   * The same server as http://localhost:<port> (Chromium resolves localhost to the loopback address
   * it is on): another origin, for WebAuthn, which needs a registrable domain as relying party id
   * (not an IP). One build and one server for both, instead of building the app twice.
   */
  localhostUrl: string;
  /** Where the build took `@groundwork/sdk` from: the package's published entry, as an installed app would. */
  sdkEntry: string | undefined;
  close(): Promise<void>;
}

export async function startAppServer(
  stack: { apiUrl: string; publishableKey: string },
  options: {
    oauthProviders?: string[];
    /** A port chosen beforehand (freePort), for a stack that must know the app's origin first. */
    port?: number;
  } = {},
): Promise<AppServer> {
  const outDir = mkdtempSync(join(tmpdir(), 'taskboard-'));
  let sdkEntry: string | undefined;
  const recordSdk: Plugin = {
    name: 'record-sdk-entry',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (source !== '@groundwork/sdk') return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      sdkEntry = resolved?.id;
      return resolved;
    },
  };
  // The app reads GROUNDWORK_* as Vite env (envPrefix); set them for the build only.
  const env = {
    GROUNDWORK_URL: stack.apiUrl,
    GROUNDWORK_KEY: stack.publishableKey,
    GROUNDWORK_OAUTH_PROVIDERS: (options.oauthProviders ?? []).join(','),
  };
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    await build({
      root: appRoot,
      logLevel: 'warn',
      plugins: [recordSdk],
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    for (const [name, value] of Object.entries(saved)) restore(name, value);
  }
  const server = await preview({
    root: appRoot,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: options.port ?? 0, strictPort: true, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('vite preview is not listening');
  return {
    url: `http://127.0.0.1:${address.port}`,
    localhostUrl: `http://localhost:${address.port}`,
    sdkEntry,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** A port free right now on 127.0.0.1, for a server started a moment later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
