/**
 * Storage throughput and memory. Uploads and downloads 1 MB and 100 MB objects through the
 * gateway (storage-js for uploads, streamed fetch for downloads) next to a plain copy of the
 * same file on the same disk, and samples the resident memory of the process serving
 * Storage while the 100 MB upload streams in.
 *
 * The stack runs in a child process so its memory is measured apart from this client's.
 *
 * Last, the latency of an image transformation: a 1 MP JPEG rendered as a 200 px WebP
 * (`/render/image/authenticated`, what storage-js `download` with `transform` asks for).
 *
 *   npx tsx bench/storage.ts [runs-of-1MB=20] [runs-of-100MB=3] [renders=20]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { copyFile, readFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageClient } from '@supabase/storage-js';

const MB = 1_000_000;

// --- child: serve a stack and report where --------------------------------------------
if (process.argv[2] === '--serve') {
  const { startTestStack } = await import('@groundwork/local-stack/testing');
  const { createStorageService } = await import('@groundwork/local-stack');
  const stack = await startTestStack({
    workdir: process.argv[3] as string,
    services: [createStorageService],
  });
  process.stdout.write(
    `${JSON.stringify({ apiUrl: stack.apiUrl, serviceRoleKey: stack.keys.serviceRoleKey })}\n`,
  );
  const stop = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Never outlive the benchmark, even if it crashed before stopping us.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop();
  }, 1000);
  await new Promise(() => {});
}

// --- parent: the benchmark ---------------------------------------------------------------
const smallRuns = Number(process.argv[2] ?? 20);
const largeRuns = Number(process.argv[3] ?? 3);
const renders = Number(process.argv[4] ?? 20);
/** Target for one 1 MP JPEG → 200 px WebP render, a local stand-in for hosted's imgproxy. */
const RENDER_TARGET_MS = 100;
const scratch = mkdtempSync(join(tmpdir(), 'groundwork-storage-bench-'));

/** A project like this repo's, minus migrations, with room for 100 MB objects. */
function benchProject(): string {
  const workdir = join(scratch, 'project');
  mkdirSync(join(workdir, 'supabase', 'migrations'), { recursive: true });
  const config = readFileSync(new URL('../supabase/config.toml', import.meta.url), 'utf8')
    .replace(/^project_id = .*$/m, 'project_id = "storage-bench"')
    .replace(/^file_size_limit = .*$/m, 'file_size_limit = "1GiB"');
  writeFileSync(join(workdir, 'supabase', 'config.toml'), config);
  writeFileSync(join(workdir, 'supabase', 'seed.sql'), '');
  return workdir;
}

const child = spawn(
  process.execPath,
  [
    '--conditions=@groundwork/source',
    '--import',
    'tsx',
    new URL(import.meta.url).pathname,
    '--serve',
    benchProject(),
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const firstLine = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`stack process exited with ${code}`)));
});
const { apiUrl, serviceRoleKey } = JSON.parse(firstLine) as { apiUrl: string; serviceRoleKey: string };
// storage-js on its own: supabase-js would also want a WebSocket for Realtime, which Node 20 lacks.
const storage = new StorageClient(`${apiUrl}/storage/v1`, {
  apikey: serviceRoleKey,
  Authorization: `Bearer ${serviceRoleKey}`,
});
await storage.createBucket('bench', { public: false });

function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Samples the serving process's RSS every 10 ms while `work` runs; returns the peak. */
async function peakResident<T>(work: () => Promise<T>): Promise<{ result: T; peak: number; before: number }> {
  const pid = child.pid as number;
  const before = residentBytes(pid);
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, residentBytes(pid));
  }, 10);
  try {
    const result = await work();
    peak = Math.max(peak, residentBytes(pid));
    return { result, peak, before };
  } finally {
    clearInterval(timer);
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function upload(file: string, key: string) {
  const { error } = await storage.from('bench').upload(key, createReadStream(file), {
    contentType: 'application/octet-stream',
    upsert: true,
  });
  if (error) throw error;
}

async function download(key: string, target: string) {
  const response = await fetch(`${apiUrl}/storage/v1/object/authenticated/bench/${key}`, {
    headers: { Authorization: `Bearer ${serviceRoleKey}` },
  });
  if (!response.ok || !response.body) throw new Error(`download failed: ${response.status}`);
  await pipeline(Readable.fromWeb(response.body as never), createWriteStream(target));
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const rate = (bytes: number, ms: number) => `${(bytes / MB / (ms / 1000)).toFixed(0).padStart(6)} MB/s`;

async function measure(sizeBytes: number, runs: number) {
  const source = join(scratch, `source-${sizeBytes}`);
  writeFileSync(source, randomBytes(sizeBytes));
  const copies: number[] = [];
  const streamCopies: number[] = [];
  const uploads: number[] = [];
  const downloads: number[] = [];
  for (let run = 0; run < runs; run++) {
    const target = join(scratch, `copy-${run}`);
    copies.push(await timed(() => copyFile(source, target)));
    await unlink(target);
    streamCopies.push(await timed(() => pipeline(createReadStream(source), createWriteStream(target))));
    await unlink(target);
    uploads.push(await timed(() => upload(source, `object-${sizeBytes}-${run}`)));
    downloads.push(await timed(() => download(`object-${sizeBytes}-${run}`, target)));
    if (run === 0 && !(await readFile(target)).equals(await readFile(source))) {
      throw new Error('downloaded bytes differ from the uploaded file');
    }
    await unlink(target);
  }
  const label = `${sizeBytes / MB} MB`.padEnd(7);
  console.log(`${label} plain copy (copyFile)   ${rate(sizeBytes, median(copies))}   median of ${runs}`);
  console.log(`${label} plain copy (streams)    ${rate(sizeBytes, median(streamCopies))}`);
  console.log(`${label} upload via storage-js   ${rate(sizeBytes, median(uploads))}`);
  console.log(`${label} download (streamed)     ${rate(sizeBytes, median(downloads))}`);
  return source;
}

async function measureRender(runs: number) {
  const { default: sharp } = await import('sharp');
  const pixels = Buffer.alloc(1000 * 1000 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) % 251;
  const jpeg = await sharp(pixels, { raw: { width: 1000, height: 1000, channels: 3 } })
    .jpeg()
    .toBuffer();
  const { error } = await storage
    .from('bench')
    .upload('photo.jpg', jpeg, { contentType: 'image/jpeg', upsert: true });
  if (error) throw error;
  const render = async () => {
    const response = await fetch(
      `${apiUrl}/storage/v1/render/image/authenticated/bench/photo.jpg?width=200`,
      {
        headers: { Authorization: `Bearer ${serviceRoleKey}`, Accept: 'image/webp' },
      },
    );
    if (response.headers.get('content-type') !== 'image/webp')
      throw new Error(`render failed: ${response.status}`);
    await response.arrayBuffer();
  };
  const first = await timed(render);
  const times: number[] = [];
  for (let run = 0; run < runs; run++) times.push(await timed(render));
  console.log(
    `render 1 MP JPEG → 200 px WebP: ${median(times).toFixed(1)} ms median of ${runs} ` +
      `(target ≤ ${RENDER_TARGET_MS} ms), first render ${first.toFixed(0)} ms (loads sharp)`,
  );
}

try {
  console.log(`storage bench: ${apiUrl}, stack pid ${child.pid}`);
  // Memory first, on a process that has not yet seen a large body.
  const probe = join(scratch, 'memory-probe');
  writeFileSync(probe, randomBytes(100 * MB));
  const { peak, before } = await peakResident(() => upload(probe, 'memory-probe'));
  console.log(
    `100 MB upload (raw stream): serving process RSS ${(before / MB).toFixed(0)} MB before, peak ` +
      `${(peak / MB).toFixed(0)} MB (+${((peak - before) / MB).toFixed(0)} MB while streaming 100 MB)`,
  );
  // storage-js sends Blobs and Files as multipart form data; those stream through the form parser.
  const blob = new Blob([readFileSync(probe)]);
  const multipart = await peakResident(async () => {
    const { error } = await storage.from('bench').upload('memory-probe-multipart', blob, { upsert: true });
    if (error) throw error;
  });
  console.log(
    `100 MB upload (multipart Blob): serving process RSS ${(multipart.before / MB).toFixed(0)} MB before, peak ` +
      `${(multipart.peak / MB).toFixed(0)} MB (+${((multipart.peak - multipart.before) / MB).toFixed(0)} MB)`,
  );
  const downloaded = await peakResident(() => download('memory-probe', join(scratch, 'memory-probe-back')));
  console.log(
    `100 MB download: serving process RSS ${(downloaded.before / MB).toFixed(0)} MB before, peak ` +
      `${(downloaded.peak / MB).toFixed(0)} MB (+${((downloaded.peak - downloaded.before) / MB).toFixed(0)} MB)`,
  );
  await measure(1 * MB, smallRuns);
  await measure(100 * MB, largeRuns);
  await measureRender(renders);
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(scratch, { recursive: true, force: true });
}
