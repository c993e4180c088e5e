import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { findFunction, npmImportsOf } from './function-catalog.ts';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>) {
  const workdir = mkdtempSync(join(tmpdir(), 'groundwork-catalog-'));
  made.push(workdir);
  for (const [path, text] of Object.entries(files)) {
    const full = join(workdir, 'supabase', path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
  }
  return loadConfig({ workdir, env: {} });
}

describe('findFunction', () => {
  it('finds supabase/functions/<name>/index.ts with its deno.json, verify_jwt on by default', () => {
    const config = project({
      'config.toml': 'project_id = "t"\n',
      'functions/hello/index.ts': '',
      'functions/hello/deno.json': '{ "imports": { "zod": "npm:zod@^4" } }',
    });
    expect(findFunction(config, 'hello')).toMatchObject({
      name: 'hello',
      verifyJwt: true,
      denoConfig: { kind: 'config' },
      preload: ['zod'],
    });
  });

  it('follows [functions.<name>] verify_jwt, entrypoint, import_map and enabled', () => {
    const config = project({
      'config.toml': [
        'project_id = "t"',
        '[functions.open]',
        'verify_jwt = false',
        'entrypoint = "./functions/open/main.ts"',
        'import_map = "./functions/import_map.json"',
        '[functions.off]',
        'enabled = false',
      ].join('\n'),
      'functions/open/main.ts': '',
      'functions/import_map.json': '{ "imports": {} }',
      'functions/off/index.ts': '',
    });
    expect(findFunction(config, 'open')).toMatchObject({
      verifyJwt: false,
      denoConfig: { kind: 'import-map' },
    });
    expect(findFunction(config, 'open')?.entrypoint.endsWith('functions/open/main.ts')).toBe(true);
    expect(findFunction(config, 'off')).toBeUndefined();
  });

  it('knows no shared folder, missing entrypoint or malformed name', () => {
    const config = project({
      'config.toml': 'project_id = "t"\n',
      'functions/_shared/index.ts': '',
      'functions/empty/readme.md': '',
    });
    for (const name of ['_shared', 'empty', 'nope', '../x', '.env', '']) {
      expect(findFunction(config, name)).toBeUndefined();
    }
  });
});

describe('npmImportsOf', () => {
  it('lists bare specifiers mapped to whole npm packages', () => {
    const config = project({
      'config.toml': 'project_id = "t"\n',
      'functions/a/deno.json': JSON.stringify({
        imports: {
          zod: 'npm:zod@^4',
          'lodash/': 'npm:/lodash@4/',
          local: './local.ts',
          std: 'jsr:@std/path',
        },
      }),
    });
    expect(npmImportsOf(join(config.supabaseDir, 'functions/a/deno.json'))).toEqual(['zod']);
    expect(npmImportsOf(join(config.supabaseDir, 'functions/a/missing.json'))).toEqual([]);
  });
});
