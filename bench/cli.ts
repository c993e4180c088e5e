/**
 * The `groundwork` CLI as a user runs it, built (dist/), against a copy of this repo's
 * supabase/ project on free ports: how long `groundwork status` takes (wall clock, the whole
 * `node bin/groundwork.js status` process), and how much memory the idle stack holds once
 * `groundwork start` has returned and its Deno spares are up. A bare `node -e 0` is timed beside
 * `status` for reference: on a busy machine the wall clock of any Node process grows, the CPU
 * time much less.
 *
 * Memory is read from /proc for the stack process and every process descended from it: RSS per process,
 * and PSS (proportional set size: shared pages such as Postgres' shared buffers divided among
 * the processes that map them), which is what adding processes up honestly gives. The whole
 * stack's figure compared with the target is the PSS sum; the RSS sum, which counts shared
 * pages once per process, is printed beside it.
 *
 *   npm run bench:cli [-- statusRuns=15]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const statusRuns = Number(process.argv[2] ?? 15);
const repo = new URL('..', import.meta.url).pathname;
const bin = join(repo, 'packages/local-stack/bin/groundwork.js');
const TARGETS = { statusMs: 200, nodeRssMb: 80, stackMb: 250 };
// Idle means: start returned, Deno's spare processes preloaded, nothing asked of the stack.
const SETTLE_MS = 8_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const project = mkdtempSync(join(tmpdir(), 'groundwork-bench-cli-'));
execFileSync('chmod', ['755', project]);
cpSync(join(repo, 'supabase'), join(project, 'supabase'), { recursive: true });
const configPath = join(project, 'supabase/config.toml');
const ports = { api: await freePort(), db: await freePort(), mail: await freePort() };
writeFileSync(
  configPath,
  readFileSync(configPath, 'utf8')
    .replace(/^port = 54321$/m, `port = ${ports.api}`)
    .replace(/^port = 54322$/m, `port = ${ports.db}`)
    .replace(/^port = 54324$/m, `port = ${ports.mail}`),
);
const groundwork = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), bin, ...args, '--workdir', project],
    { encoding: 'utf8' },
  );

interface ProcessMemory {
  pid: number;
  command: string;
  rssKb: number;
  pssKb: number;
}

function readKb(text: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
}

/**
 * The stack process and every process descended from it (Postgres' backends lead sessions of
 * their own, so the process group alone would miss them).
 */
function stackProcesses(rootPid: number): ProcessMemory[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) in parentheses: state ppid …
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended while we looked
    }
  }
  const inStack = (pid: number): boolean => {
    for (let at: number | undefined = pid; at !== undefined && at > 1; at = parents.get(at)) {
      if (at === rootPid) return true;
    }
    return false;
  };
  const found: ProcessMemory[] = [];
  for (const pid of parents.keys()) {
    if (!inStack(pid)) continue;
    const entry = String(pid);
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const rollup = readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8');
      found.push({
        pid: Number(entry),
        command: describe(command),
        rssKb: readKb(status, 'VmRSS'),
        pssKb: readKb(rollup, 'Pss'),
      });
    } catch {
      // ended while we looked
    }
  }
  return found;
}

function describe(argv: string[]): string {
  const [exe = '', ...args] = argv;
  if (/postgrest$/.test(exe)) return 'postgrest';
  if (/deno$/.test(exe)) return 'deno (functions)';
  if (/postgres/.test(exe) || /^postgres:/.test(exe)) return 'postgres';
  if (/node$/.test(exe) && args.some((arg) => /daemon\.js$/.test(arg))) return 'node (stack process)';
  return exe.split('/').pop() ?? exe;
}

/**
 * CPU time (user + system) of this process's waited-for children so far, from /proc/self/stat
 * (cutime, cstime; clock ticks of 10 ms).
 */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

const mb = (kb: number) => kb / 1024;
const fmt = (value: number, digits = 0) => value.toFixed(digits);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

console.log(
  `bench/cli: ${availableParallelism()} cores, load average ${fmt(loadavg()[0] ?? 0, 1)} at start (other work on the machine skews figures)`,
);
try {
  const started = groundwork('start');
  if (started.status !== 0) throw new Error(`groundwork start failed:\n${started.stdout}\n${started.stderr}`);
  const state = JSON.parse(
    readFileSync(join(project, '.groundwork', 'groundwork', 'stack.json'), 'utf8'),
  ) as { pid: number };

  const timings: Record<string, number[]> = {
    'node -e 0 (for reference)': [],
    'status -o env': [],
    'status (pretty, reads cron jobs)': [],
  };
  const cpuTimes: Record<string, number[]> = Object.fromEntries(
    Object.keys(timings).map((label) => [label, []]),
  );
  for (let run = 0; run < statusRuns; run++) {
    for (const [label, args] of [
      ['node -e 0 (for reference)', undefined],
      ['status -o env', ['status', '-o', 'env']],
      ['status (pretty, reads cron jobs)', ['status']],
    ] as const) {
      const cpuBefore = childrenCpuMs();
      const begun = performance.now();
      const result = args ? groundwork(...args) : spawnSync(process.execPath, ['-e', '0']);
      const elapsed = performance.now() - begun;
      if (result.status !== 0) throw new Error(`groundwork ${args?.join(' ')} failed: ${result.stderr}`);
      timings[label]?.push(elapsed);
      cpuTimes[label]?.push(childrenCpuMs() - cpuBefore);
    }
  }

  await sleep(SETTLE_MS);
  const processes = stackProcesses(state.pid);
  const byKind = new Map<string, { count: number; rssKb: number; pssKb: number }>();
  for (const proc of processes) {
    const kind = byKind.get(proc.command) ?? { count: 0, rssKb: 0, pssKb: 0 };
    kind.count += 1;
    kind.rssKb += proc.rssKb;
    kind.pssKb += proc.pssKb;
    byKind.set(proc.command, kind);
  }
  const node = processes.find((proc) => proc.pid === state.pid);
  const totalPss = processes.reduce((sum, proc) => sum + proc.pssKb, 0);
  const totalRss = processes.reduce((sum, proc) => sum + proc.rssKb, 0);

  console.log(
    `\ngroundwork status, ${statusRuns} runs each, wall clock of the whole command (and its CPU time, user+system, which other work on the machine skews less):`,
  );
  for (const [label, samples] of Object.entries(timings)) {
    const target = label.startsWith('status') ? `   target ≤ ${TARGETS.statusMs} ms` : '';
    console.log(
      `  ${label.padEnd(34)} median ${fmt(median(samples))} ms, max ${fmt(Math.max(...samples))} ms, CPU median ${fmt(median(cpuTimes[label] ?? []))} ms${target}`,
    );
  }
  console.log(
    `\nidle stack (${SETTLE_MS / 1000} s after start returned), the stack process and its descendants, per kind:`,
  );
  for (const [kind, { count, rssKb, pssKb }] of [...byKind].sort(([a], [b]) => (a < b ? -1 : 1))) {
    console.log(
      `  ${kind.padEnd(22)} ${String(count).padStart(2)} process(es)   RSS ${fmt(mb(rssKb)).padStart(4)} MB   PSS ${fmt(mb(pssKb)).padStart(4)} MB`,
    );
  }
  console.log(
    `\n  stack's own Node process RSS: ${fmt(mb(node?.rssKb ?? 0))} MB   target ≤ ${TARGETS.nodeRssMb} MB`,
  );
  console.log(
    `  whole stack idle, PSS sum:    ${fmt(mb(totalPss))} MB   target ≤ ${TARGETS.stackMb} MB   (RSS sum, shared pages counted per process: ${fmt(mb(totalRss))} MB)`,
  );
} finally {
  const stopped = groundwork('stop');
  if (stopped.status !== 0) console.error(stopped.stderr);
  rmSync(project, { recursive: true, force: true });
}
