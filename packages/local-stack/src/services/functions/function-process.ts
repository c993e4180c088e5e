import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../../logger.ts';
import { stopChild } from '../../processes/supervise.ts';
import { denoBinary, denoRunArgs } from './deno-runtime.ts';
import type { FunctionDefinition } from './function-catalog.ts';
import type { FunctionEnv } from './function-env.ts';

const BOOT_MARKER = '\u0000groundwork:';

/** The function could not start: its module threw, failed to import, or never served. */
export class FunctionBootError extends Error {
  override readonly name = 'FunctionBootError';
}

export interface FunctionProcessOptions {
  definition: FunctionDefinition;
  env: FunctionEnv;
  denoDir: string;
  log: Logger;
  /** The machine's network settings (proxy, CA certificates) Deno needs to reach npm. */
  machineEnv: FunctionEnv;
  /** How long importing the function may take (first runs download npm packages). */
  bootTimeoutMs: number;
}

/**
 * One Deno process running one function. It is spawned "spare" (Deno up, function not
 * loaded) and `load()` makes it import the function and serve; the stack then proxies
 * requests to `url`.
 */
export class FunctionProcess {
  readonly definition: FunctionDefinition;
  /** Requests being proxied right now; a retired process stops once this reaches 0. */
  inFlight = 0;
  #child: ChildProcess;
  #url: string | undefined;
  #loading: Promise<string> | undefined;
  #exited = false;
  #onExit: (() => void) | undefined;
  #onBootAnswer: ((kind: string, detail: string) => void) | undefined;
  readonly #options: FunctionProcessOptions;
  /** Resolves once the spare has preloaded its packages (or the process ended). */
  readonly idle: Promise<void>;

  constructor(options: FunctionProcessOptions) {
    this.#options = options;
    this.definition = options.definition;
    this.#child = spawn(denoBinary(), denoRunArgs(options.definition), {
      cwd: options.definition.dir,
      env: {
        ...options.env,
        DENO_DIR: options.denoDir,
        NO_COLOR: '1',
        DENO_NO_UPDATE_CHECK: '1',
        GROUNDWORK_FUNCTION_ENTRYPOINT: pathToFileURL(options.definition.entrypoint).href,
        GROUNDWORK_FUNCTION_NAME: options.definition.name,
        GROUNDWORK_FUNCTION_PRELOAD: JSON.stringify(options.definition.preload),
        ...options.machineEnv,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let markIdle: () => void = () => {};
    this.idle = new Promise<void>((resolve) => {
      markIdle = resolve;
    });
    this.#child.once('exit', () => {
      this.#exited = true;
      markIdle();
      this.#onExit?.();
    });
    this.#child.once('error', (error) => options.log.error(`could not start deno: ${error.message}`));
    this.#child.stdin?.on('error', () => {});
    forwardLines(this.#child.stderr, (line) => options.log.error(line));
    forwardLines(this.#child.stdout, (line) => {
      if (!line.startsWith(BOOT_MARKER)) return options.log.info(line);
      const [kind = '', ...rest] = line.slice(BOOT_MARKER.length).split(' ');
      if (kind === 'idle') markIdle();
      else this.#onBootAnswer?.(kind, rest.join(' '));
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** Base URL of the function's server once loaded. */
  get url(): string | undefined {
    return this.#url;
  }

  /** Called once when the process ends, whatever the reason. */
  onExit(listener: () => void): void {
    this.#onExit = listener;
    if (this.#exited) listener();
  }

  /** Imports the function and resolves with the URL it serves on. */
  load(): Promise<string> {
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async #load(): Promise<string> {
    const child = this.#child;
    if (this.#exited) throw new FunctionBootError('the Deno process exited before the function loaded');
    const answer = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new FunctionBootError(`the function did not start within ${this.#options.bootTimeoutMs} ms`),
          ),
        this.#options.bootTimeoutMs,
      );
      this.#onBootAnswer = (kind, detail) => {
        clearTimeout(timer);
        if (kind === 'ready') resolve(`http://127.0.0.1:${detail}`);
        else reject(new FunctionBootError(parseMessage(detail)));
      };
      once(child, 'exit').then(([code, signal]) => {
        clearTimeout(timer);
        reject(new FunctionBootError(`the Deno process exited (${signal ?? `code ${code}`}) while starting`));
      });
    });
    child.stdin?.write('load\n');
    try {
      this.#url = await answer;
      return this.#url;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.#exited) return;
    await stopChild(this.#child, 'SIGTERM', 2_000);
  }
}

function parseMessage(json: string): string {
  try {
    return String(JSON.parse(json));
  } catch {
    return json;
  }
}

function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).replace(/\r$/, '');
      buffered = buffered.slice(newline + 1);
      if (line !== '') onLine(line);
      newline = buffered.indexOf('\n');
    }
  });
}
