/**
 * Runs inside Deno, one process per edge function. It stands in for Supabase's edge
 * runtime: the function calls `Deno.serve(handler)` as it would on hosted, and this
 * script captures that handler and serves it itself on a port the stack proxies to.
 *
 * Protocol with the stack (stdout lines starting with BOOT_MARKER, never shown to users):
 *   - the process starts "spare": Deno is up and has loaded the npm packages named in
 *     the function's import map, but no function code has run yet;
 *   - a line on stdin tells it to import the function (so Deno's own start-up is
 *     already paid for when the first request arrives);
 *   - it says `idle` once that preloading is done;
 *   - it answers `ready <port>` or `boot-error <json message>`.
 *
 * Typed for the repo's Node type-check: only the few Deno APIs used here are declared.
 */

type Handler = (request: Request, info: unknown) => Response | Promise<Response>;
interface ServeOptions {
  handler?: Handler;
  onError?: (error: unknown) => Response | Promise<Response>;
  [key: string]: unknown;
}
interface ServeInfo {
  port: number;
}
interface DenoApi {
  serve(options: ServeOptions & { port: number; hostname: string; onListen(info: ServeInfo): void }): unknown;
  env: { get(name: string): string | undefined; delete(name: string): void };
  stdin: { readable: ReadableStream<Uint8Array> };
  stdout: { writeSync(bytes: Uint8Array): number };
  exit(code: number): never;
}
declare const Deno: DenoApi;

const BOOT_MARKER = '\u0000groundwork:';
const entrypoint = Deno.env.get('GROUNDWORK_FUNCTION_ENTRYPOINT') ?? '';
const functionName = Deno.env.get('GROUNDWORK_FUNCTION_NAME') ?? 'function';
const preload: string[] = JSON.parse(Deno.env.get('GROUNDWORK_FUNCTION_PRELOAD') ?? '[]');
// The function sees only the environment hosted gives it.
Deno.env.delete('GROUNDWORK_FUNCTION_ENTRYPOINT');
Deno.env.delete('GROUNDWORK_FUNCTION_NAME');
Deno.env.delete('GROUNDWORK_FUNCTION_PRELOAD');

const encoder = new TextEncoder();
function tellStack(message: string): void {
  Deno.stdout.writeSync(encoder.encode(`${BOOT_MARKER}${message}\n`));
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function failedResponse(): Response {
  return Response.json(
    { code: 'WORKER_ERROR', message: 'The function threw an error; see the stack log for its cause' },
    { status: 500, headers: { 'sb-error-code': 'EDGE_FUNCTION_ERROR' } },
  );
}

// Deno.serve is called by the function at import time; keep what it asks for.
let captured: ServeOptions | undefined;
let serveCalled: () => void = () => {};
const serveWasCalled = new Promise<void>((resolve) => {
  serveCalled = resolve;
});
const realServe = Deno.serve.bind(Deno);
(Deno as { serve: unknown }).serve = (first: unknown, second?: unknown) => {
  if (typeof first === 'function') captured = { handler: first as Handler };
  else if (typeof second === 'function')
    captured = { ...(first as ServeOptions), handler: second as Handler };
  else captured = { ...(first as ServeOptions) };
  serveCalled();
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  // What Deno.serve returns, enough for functions that await `finished` or call shutdown().
  return {
    finished,
    addr: { transport: 'tcp', hostname: '0.0.0.0', port: 8000 },
    shutdown: async () => finish(),
    ref() {},
    unref() {},
  };
};

// A stray rejection or timer error must not take the process (and other requests) down.
globalThis.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  console.error(`[${functionName}] unhandled rejection:`, (event as PromiseRejectionEvent).reason);
});
globalThis.addEventListener('error', (event) => {
  event.preventDefault();
  console.error(`[${functionName}] uncaught error:`, (event as ErrorEvent).error);
});

/**
 * Resolves at the stack's first line on stdin. Stdin stays open for the process's life:
 * when it closes, the stack is gone (even killed with SIGKILL) and so is this process,
 * so no orphan Deno is left serving.
 */
function watchStdin(): Promise<void> {
  return new Promise((resolve) => {
    const reader = Deno.stdin.readable.getReader();
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) Deno.exit(0);
        if (value.includes(10)) resolve();
      }
    })();
  });
}

const go = watchStdin();

// While idle, load the npm packages the function's import map names (supabase-js, zod…):
// the function's own imports of them then reuse these module instances, so a cold start
// pays only for the function's code. Failures are left for the real import to report.
await Promise.allSettled(preload.map((specifier) => import(specifier)));
tellStack('idle');

await go;

let loaded: { default?: { fetch?: Handler } } = {};
// Serving starts once the function calls Deno.serve, even if its module is still
// evaluating (e.g. a top-level `await server.finished`); a module that never calls it
// must finish loading and may export `{ fetch }` instead.
const importing = import(entrypoint).then((module: typeof loaded) => {
  loaded = module;
});
try {
  await Promise.race([importing, serveWasCalled]);
} catch (error) {
  tellStack(`boot-error ${JSON.stringify(errorText(error))}`);
  Deno.exit(1);
}
importing.catch((error) => console.error(`[${functionName}] ${errorText(error)}`));

// Hosted also accepts `export default { fetch }` in place of Deno.serve.
const defaultFetch = loaded.default?.fetch;
const options: ServeOptions | undefined =
  captured ??
  (typeof defaultFetch === 'function' ? { handler: defaultFetch.bind(loaded.default) } : undefined);
const handler = options?.handler;
if (!options || !handler) {
  tellStack(`boot-error ${JSON.stringify('the function never called Deno.serve(handler)')}`);
  Deno.exit(1);
}
const serveHandler: Handler = handler;

async function guarded(request: Request, info: unknown): Promise<Response> {
  try {
    const response = await serveHandler(request, info);
    if (!(response instanceof Response)) throw new TypeError('the handler did not return a Response');
    return response;
  } catch (error) {
    console.error(`[${functionName}] ${errorText(error)}`);
    if (options?.onError) {
      try {
        return await options.onError(error);
      } catch (inner) {
        console.error(`[${functionName}] onError threw: ${errorText(inner)}`);
      }
    }
    return failedResponse();
  }
}

realServe({
  port: 0,
  hostname: '127.0.0.1',
  handler: guarded,
  onListen: ({ port }) => tellStack(`ready ${port}`),
});
