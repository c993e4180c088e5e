/**
 * Where a request from SQL really goes. With `supabase start`, pg_net runs inside the
 * database container, where `localhost` is the container: migrations reach the API as
 * `http://host.docker.internal:54321` or, on the Docker network, `http://kong:8000`.
 * Here the database runs on the host, so those names are mapped to the stack's gateway,
 * and the project's configured API port (54321) to the port the stack really listens on
 * (they differ in test stacks on free ports).
 */
export interface LocalApi {
  /** The port the gateway listens on. */
  port: number;
  /** `[api] port` from config.toml. */
  configuredPort: number;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const KONG = /^(kong|supabase_kong_[\w.-]+)$/i;

/** The host and port to connect to for `url`; `undefined` when the URL's own are right. */
export function localApiTarget(url: URL, api: LocalApi): { host: string; port: number } | undefined {
  const host = url.hostname.toLowerCase();
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (KONG.test(host) && port === 8000) return { host: '127.0.0.1', port: api.port };
  if (host === 'host.docker.internal' || LOOPBACK.has(host)) {
    if (port === api.configuredPort) return { host: '127.0.0.1', port: api.port };
    if (host === 'host.docker.internal') return { host: '127.0.0.1', port };
  }
  return undefined;
}
