import type { Logger } from '../../logger.ts';
import type { FunctionDefinition } from './function-catalog.ts';
import type { FunctionEnv } from './function-env.ts';
import { FunctionProcess } from './function-process.ts';

export interface FunctionWorkersOptions {
  env: () => FunctionEnv;
  machineEnv: FunctionEnv;
  denoDir: string;
  log: Logger;
  bootTimeoutMs: number;
  /**
   * Keep one idle Deno process per known function, so a cold start pays only for
   * loading the function's code, not for starting Deno (~80 ms on a small machine).
   */
  keepSpares: boolean;
}

/**
 * The warm processes, one per function: started on a function's first request, reused
 * for every later one, and replaced after its files change or it stops answering.
 */
export class FunctionWorkers {
  readonly #options: FunctionWorkersOptions;
  readonly #running = new Map<string, Promise<FunctionProcess>>();
  /** The process behind each settled entry of #running. */
  readonly #loaded = new Map<string, FunctionProcess>();
  readonly #spares = new Map<string, FunctionProcess>();
  readonly #retiring = new Set<FunctionProcess>();
  /** Spares wait their turn: started one after another, they don't swamp a small machine at start-up. */
  #spareQueue: FunctionDefinition[] = [];
  #pumpingSpares = false;
  #closed = false;

  constructor(options: FunctionWorkersOptions) {
    this.#options = options;
  }

  /** The loaded process for a function, starting it if needed (concurrent callers share one start). */
  acquire(definition: FunctionDefinition): Promise<FunctionProcess> {
    const existing = this.#running.get(definition.name);
    if (existing) return existing;
    const starting = this.#start(definition);
    this.#running.set(definition.name, starting);
    starting.catch(() => {
      if (this.#running.get(definition.name) === starting) this.#running.delete(definition.name);
    });
    return starting;
  }

  async #start(definition: FunctionDefinition): Promise<FunctionProcess> {
    this.#spareQueue = this.#spareQueue.filter((queued) => queued.name !== definition.name);
    const spare = this.#spares.get(definition.name);
    this.#spares.delete(definition.name);
    const usable = spare && !spare.exited && sameDefinition(spare.definition, definition);
    if (spare && !usable) void spare.stop();
    const worker = usable ? spare : this.#spawn(definition);
    const log = this.#options.log.child(definition.name);
    const started = performance.now();
    await worker.load();
    this.#loaded.set(definition.name, worker);
    log.info(`started (pid ${worker.pid}) in ${Math.round(performance.now() - started)} ms`);
    worker.onExit(() => {
      const current = this.#running.get(definition.name);
      void current?.then((running) => {
        if (running !== worker) return;
        this.#running.delete(definition.name);
        this.#loaded.delete(definition.name);
        if (!this.#retiring.has(worker) && !this.#closed)
          log.warn('the Deno process exited; restarting on the next request');
      });
      this.#retiring.delete(worker);
    });
    return worker;
  }

  #spawn(definition: FunctionDefinition): FunctionProcess {
    return new FunctionProcess({
      definition,
      env: this.#options.env(),
      machineEnv: this.#options.machineEnv,
      denoDir: this.#options.denoDir,
      log: this.#options.log.child(definition.name),
      bootTimeoutMs: this.#options.bootTimeoutMs,
    });
  }

  /** Queues an idle Deno process for a function so its next cold start is quick. */
  prepareSpare(definition: FunctionDefinition): void {
    if (this.#closed || !this.#options.keepSpares) return;
    const spare = this.#spares.get(definition.name);
    if (spare && !spare.exited && sameDefinition(spare.definition, definition)) return;
    this.#spares.delete(definition.name);
    void spare?.stop();
    this.#spareQueue = this.#spareQueue.filter((queued) => queued.name !== definition.name);
    this.#spareQueue.push(definition);
    void this.#pumpSpares();
  }

  async #pumpSpares(): Promise<void> {
    if (this.#pumpingSpares) return;
    this.#pumpingSpares = true;
    try {
      for (let next = this.#spareQueue.shift(); next; next = this.#spareQueue.shift()) {
        if (this.#closed) return;
        const spare = this.#spawn(next);
        this.#spares.set(next.name, spare);
        await Promise.race([spare.idle, sleep(SPARE_IDLE_WAIT_MS)]);
      }
    } finally {
      this.#pumpingSpares = false;
    }
  }

  /**
   * Takes the function's process out of service: new requests start a fresh one, and
   * the old one stops once the requests it is serving have finished. With `only`, does
   * so only if that process is still the one serving (a concurrent failure may already
   * have replaced it).
   */
  retire(name: string, reason: string, only?: FunctionProcess): void {
    const running = this.#running.get(name);
    if (only && this.#loaded.get(name) !== only) return;
    this.#running.delete(name);
    this.#loaded.delete(name);
    const spare = this.#spares.get(name);
    this.#spares.delete(name);
    void spare?.stop();
    this.#spareQueue = this.#spareQueue.filter((queued) => queued.name !== name);
    if (!running) return;
    void running
      .then((worker) => {
        this.#options.log.child(name).info(`reloading: ${reason}`);
        this.#retiring.add(worker);
        this.#stopWhenIdle(worker);
        if (this.#options.keepSpares) this.prepareSpare(worker.definition);
      })
      .catch(() => {});
  }

  /** Marks the end of a proxied request. */
  release(worker: FunctionProcess): void {
    worker.inFlight -= 1;
    if (this.#retiring.has(worker)) this.#stopWhenIdle(worker);
  }

  #stopWhenIdle(worker: FunctionProcess): void {
    if (worker.inFlight <= 0) void worker.stop();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#spareQueue = [];
    const workersToStop = [...this.#spares.values(), ...this.#retiring];
    for (const running of this.#running.values()) {
      workersToStop.push(...(await running.then((worker) => [worker]).catch(() => [])));
    }
    this.#spares.clear();
    this.#running.clear();
    this.#loaded.clear();
    await Promise.all(workersToStop.map((worker) => worker.stop()));
  }
}

// A spare that takes longer than this to preload no longer holds up the next one.
const SPARE_IDLE_WAIT_MS = 10_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function sameDefinition(a: FunctionDefinition, b: FunctionDefinition): boolean {
  return a.entrypoint === b.entrypoint && a.denoConfig?.path === b.denoConfig?.path;
}
