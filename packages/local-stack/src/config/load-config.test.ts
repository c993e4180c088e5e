import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isStackError } from '../errors.ts';
import { loadConfig } from './load-config.ts';

describe('loadConfig', () => {
  const dirs: string[] = [];
  const project = (toml: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'groundwork-config-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'supabase'));
    writeFileSync(join(dir, 'supabase', 'config.toml'), toml);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("fills in Supabase's defaults for a minimal config.toml", () => {
    const config = loadConfig({ workdir: project('project_id = "tiny"\n'), env: {} });
    expect(config.ports).toEqual({ api: 54321, db: 54322, mail: 54324, smtp: 54325 });
    expect(config.toml.api.schemas).toEqual(['public', 'graphql_public']);
    expect(config.toml.auth.jwt_expiry).toBe(3600);
    expect(config.toml.auth.rate_limit.sign_in_sign_ups).toBe(30);
    expect(config.toml.db.seed.sql_paths).toEqual(['./seed.sql']);
  });

  it('substitutes env(NAME) values and lays overrides on top', () => {
    const dir = project('[auth]\nsite_url = "env(SITE)"\n[api]\nmax_rows = 10\n');
    const config = loadConfig({
      workdir: dir,
      env: { SITE: 'http://app.test' },
      overrides: { api: { max_rows: 5 } },
    });
    expect(config.toml.auth.site_url).toBe('http://app.test');
    expect(config.toml.api.max_rows).toBe(5);
  });

  it('finds the nearest supabase/ upward from the working directory', () => {
    const dir = project('project_id = "up"\n');
    mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
    expect(loadConfig({ cwd: join(dir, 'src', 'deep'), env: {} }).workdir).toBe(dir);
  });

  it('names the file and the field when a value has the wrong type', () => {
    const dir = project('[api]\nport = "not a port"\n');
    const error = (() => {
      try {
        loadConfig({ workdir: dir, env: {} });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isStackError(error) && error.code).toBe('config_invalid');
    expect((error as Error).message).toContain('config.toml: api.port');
  });

  it('says what to do when there is no supabase/config.toml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'groundwork-empty-'));
    dirs.push(dir);
    expect(() => loadConfig({ workdir: dir, env: {} })).toThrow(/supabase init/);
  });
});
