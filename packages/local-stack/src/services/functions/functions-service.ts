import { readdirSync } from 'node:fs';
import { type Context, Hono } from 'hono';
import { forwardRequest } from '../../http/forward-request.ts';
import { BodyRefusedError, ClientClosedError } from '../../http/guarded-body.ts';
import type { ServiceEnv } from '../caller.ts';
import { MOUNTS } from '../mounts.ts';
import type { Service, ServiceContext, ServiceFactory } from '../service.ts';
import { defaultDenoDir } from './deno-runtime.ts';
import { type FunctionDefinition, findFunction, functionsDirOf } from './function-catalog.ts';
import { functionEnv, machineEnv } from './function-env.ts';
import { functionsErrorResponse } from './function-errors.ts';
import { FunctionBootError, type FunctionProcess } from './function-process.ts';
import { FunctionWorkers } from './function-workers.ts';
import { rejectUnlessValidJwt } from './verify-jwt.ts';
import { watchFunctionFiles } from './watch-function-files.ts';

export interface FunctionsServiceOptions {
  /**
   * How long a function may take to answer before the gateway gives up with 504.
   * Hosted allows 150 s on the free plan and 400 s on paid plans; tests pass a short one.
   */
  wallClockLimitMs?: number;
  /** How long loading a function may take; the first load downloads its npm packages. */
  bootTimeoutMs?: number;
  /** Deno's cache folder; defaults to one shared under node_modules/.cache. */
  denoDir?: string;
  /** Keep an idle Deno process ready per function to cut cold starts (default on). */
  keepSpares?: boolean;
}

const FREE_PLAN_WALL_CLOCK_MS = 150_000;
// The methods hosted Edge Functions accept; anything else is 405 before the function runs.
const ALLOWED_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
// Each idle Deno holds ~50 MB (PSS) of its own: a spare for each of this project's eight functions
// was 400 MB idle, so one at start; the others get theirs when their files change (the edit loop).
const MAX_SPARES_AT_START = 1;

/**
 * Edge functions at `/functions/v1/<name>[/…]`, each on real Deno in its own process,
 * behaving as hosted Supabase: `verify_jwt` checked before the function runs, the
 * hosted environment, 404 for unknown names, 500 when a function throws (the process
 * lives on), 504 past the wall-clock limit, and a reload when its files change.
 */
export function functionsService(options: FunctionsServiceOptions = {}): ServiceFactory {
  return async function startFunctionsService(context: ServiceContext): Promise<Service> {
    const log = context.log.child('functions');
    const wallClockLimitMs = options.wallClockLimitMs ?? FREE_PLAN_WALL_CLOCK_MS;
    const workers = new FunctionWorkers({
      env: () => functionEnv(context),
      machineEnv: machineEnv(context.config.env),
      denoDir: options.denoDir ?? defaultDenoDir(),
      log,
      bootTimeoutMs: options.bootTimeoutMs ?? 120_000,
      keepSpares: options.keepSpares ?? true,
    });
    const functionsDir = functionsDirOf(context.config);
    for (const definition of listFunctions(context).slice(0, MAX_SPARES_AT_START)) {
      workers.prepareSpare(definition);
    }
    // Looked up once per name and forgotten on any file change, so the hot path does no file I/O.
    const definitions = new Map<string, FunctionDefinition>();
    const lookup = (name: string) => {
      const known = definitions.get(name);
      if (known) return known;
      const found = findFunction(context.config, name);
      if (found) definitions.set(name, found);
      return found;
    };
    const watcher = watchFunctionFiles(
      functionsDir,
      (change) => {
        definitions.clear();
        if ('name' in change) {
          workers.retire(change.name, 'its files changed');
          const definition = findFunction(context.config, change.name);
          if (definition) workers.prepareSpare(definition);
        } else {
          for (const definition of listFunctions(context)) {
            workers.retire(definition.name, 'shared files changed');
            workers.prepareSpare(definition);
          }
        }
      },
      log,
    );

    const app = new Hono<ServiceEnv>();
    const invoke = async (c: Context<ServiceEnv>) => {
      const name = c.req.param('name') ?? '';
      const definition = lookup(name);
      if (!definition) return functionsErrorResponse('NOT_FOUND', 'Requested function was not found');
      if (!ALLOWED_METHODS.has(c.req.method)) {
        return functionsErrorResponse(
          'METHOD_NOT_ALLOWED',
          `${c.req.method} is not supported by Edge Functions`,
        );
      }
      // Preflights carry no credentials; hosted lets them through to the function.
      if (definition.verifyJwt && c.req.method !== 'OPTIONS') {
        const rejection = rejectUnlessValidJwt(c.get('caller'), c.req.header('authorization') !== undefined);
        if (rejection) return rejection;
      }

      let worker: FunctionProcess;
      try {
        worker = await workers.acquire(definition);
      } catch (error) {
        const message = error instanceof FunctionBootError ? error.message : String(error);
        log.error(`${name} failed to start: ${message}`);
        return functionsErrorResponse(
          'BOOT_ERROR',
          'The function failed to start; see the stack log for its cause',
        );
      }
      return proxyToFunction(c.req.raw, definition, worker);
    };
    app.all('/:name', invoke);
    app.all('/:name/*', invoke);

    async function proxyToFunction(
      request: Request,
      definition: FunctionDefinition,
      worker: FunctionProcess,
    ): Promise<Response> {
      const url = new URL(request.url);
      const prefix = `${MOUNTS.functions.path}/${definition.name}`;
      const rest = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '';
      // Hosted hands the function a path starting with its own name, e.g. /hello/sub.
      const target = `${worker.url}/${definition.name}${rest}${url.search}`;
      const abort = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        abort.abort();
      }, wallClockLimitMs);
      // A client that goes away ends its own request, in Deno too (the handler's
      // request.signal fires), and nothing else.
      const clientGone = () => abort.abort();
      request.signal.addEventListener('abort', clientGone, { once: true });
      worker.inFlight += 1;
      let releasedAtBodyEnd = false;
      try {
        const response = await forwardRequest(target, request, abort.signal);
        // The process stays in service (a reload waits for it) until its answer is sent in full.
        const sent = whenBodyEnds(response, () => workers.release(worker));
        releasedAtBodyEnd = true;
        return request.method === 'GET' ? withoutHtml(sent) : sent;
      } catch (error) {
        if (timedOut) {
          log.error(`${definition.name} did not answer within ${wallClockLimitMs} ms; stopping it`);
          // A function stuck in a loop would block every later request: replace it.
          workers.retire(definition.name, 'it exceeded the wall-clock limit', worker);
          return functionsErrorResponse(
            'IDLE_TIMEOUT',
            `The function did not answer within the ${wallClockLimitMs / 1000} s wall-clock limit`,
          );
        }
        if (request.signal.aborted || isClientGone(error)) {
          // Nobody reads this answer; the process serves the next request as before.
          return functionsErrorResponse('WORKER_ERROR', 'The client closed the request');
        }
        if (isBodyRefused(error)) {
          // The gateway answers 413/408 in place of this.
          return functionsErrorResponse('WORKER_ERROR', 'The request body was refused');
        }
        log.error(`${definition.name}: the Deno process failed mid-request: ${(error as Error).message}`);
        // Don't hand the next request to a process that is dying; it starts afresh.
        workers.retire(definition.name, 'its process failed', worker);
        return functionsErrorResponse('WORKER_ERROR', 'The function exited while handling the request');
      } finally {
        clearTimeout(timer);
        request.signal.removeEventListener('abort', clientGone);
        if (!releasedAtBodyEnd) workers.release(worker);
      }
    }

    return {
      mount: MOUNTS.functions,
      app,
      refuseBody: (_c, refusal) =>
        refusal.reason === 'too_large'
          ? functionsErrorResponse(
              'REQUEST_TOO_LARGE',
              `The request body is larger than the ${refusal.limitBytes}-byte limit`,
            )
          : functionsErrorResponse('REQUEST_TIMEOUT', 'Timed out reading the request body'),
      async close() {
        watcher.close();
        await workers.close();
      },
    };
  };
}

/** The response with `onEnd` called once its body has been read to the end, failed or been cancelled. */
function whenBodyEnds(response: Response, onEnd: () => void): Response {
  if (!response.body) {
    onEnd();
    return response;
  }
  const reader = response.body.getReader();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          controller.close();
          end();
        } else controller.enqueue(chunk.value);
      } catch (error) {
        controller.error(error);
        end();
      }
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * Hosted serves HTML from functions only on custom domains: a GET answered with
 * `text/html` reaches the browser as `text/plain`. Doing the same here keeps a page
 * that works locally from breaking after deploy.
 */
function withoutHtml(response: Response): Response {
  const type = response.headers.get('content-type') ?? '';
  if (!/^\s*text\/html\b/i.test(type)) return response;
  const headers = new Headers(response.headers);
  headers.set('content-type', type.replace(/text\/html/i, 'text/plain'));
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function isClientGone(error: unknown): boolean {
  return error instanceof ClientClosedError;
}

function isBodyRefused(error: unknown): boolean {
  return error instanceof BodyRefusedError;
}

/** The functions present now, for preparing spares and reloading on shared changes. */
function listFunctions(context: ServiceContext): FunctionDefinition[] {
  let names: string[];
  try {
    names = readdirSync(functionsDirOf(context.config), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    names = [];
  }
  const configured = Object.keys(context.config.toml.functions);
  return [...new Set([...names, ...configured])]
    .map((name) => findFunction(context.config, name))
    .filter((definition): definition is FunctionDefinition => definition !== undefined);
}
