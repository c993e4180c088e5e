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

  it('runs hosted’s gateway unless GROUNDWORK_GATEWAY asks for supabase start’s', () => {
    const dir = project('project_id = "modes"\n');
    expect(loadConfig({ workdir: dir, env: {} }).gateway).toBe('hosted');
    expect(loadConfig({ workdir: dir, env: { GROUNDWORK_GATEWAY: 'supabase-start' } }).gateway).toBe(
      'supabase-start',
    );
    expect(loadConfig({ workdir: dir, env: { GROUNDWORK_GATEWAY: '' } }).gateway).toBe('hosted');
  });

  it('refuses an unknown GROUNDWORK_GATEWAY, naming the variable and the choices', () => {
    const dir = project('project_id = "modes"\n');
    expect(() => loadConfig({ workdir: dir, env: { GROUNDWORK_GATEWAY: 'kong' } })).toThrow(
      expect.objectContaining({
        code: 'config_invalid',
        message: 'GROUNDWORK_GATEWAY: must be "hosted" or "supabase-start", got "kong"',
      }),
    );
  });

  it('trusts no proxy unless GROUNDWORK_TRUSTED_PROXIES lists some, and refuses an entry that is no address', () => {
    const dir = project('project_id = "proxies"\n');
    expect(loadConfig({ workdir: dir, env: {} }).trustedProxies).toEqual([]);
    expect(
      loadConfig({ workdir: dir, env: { GROUNDWORK_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' } })
        .trustedProxies,
    ).toEqual(['127.0.0.1', '10.0.0.0/8']);
    expect(() => loadConfig({ workdir: dir, env: { GROUNDWORK_TRUSTED_PROXIES: 'proxy.local' } })).toThrow(
      expect.objectContaining({
        code: 'config_invalid',
        message: 'GROUNDWORK_TRUSTED_PROXIES: "proxy.local" is not an IP address or CIDR range',
      }),
    );
  });

  it('keeps a mail port of 0 (any free port) for SMTP too, instead of port 1', () => {
    const config = loadConfig({ workdir: project('[local_smtp]\nport = 0\n'), env: {} });
    expect(config.ports).toMatchObject({ mail: 0, smtp: 0 });
  });

  /** The StackError loadConfig throws for this config.toml. */
  const loadError = (toml: string) => {
    try {
      loadConfig({ workdir: project(toml), env: {} });
    } catch (caught) {
      if (isStackError(caught)) return caught;
      throw caught;
    }
    throw new Error('config.toml loaded, but it should have been refused');
  };

  it('names the file and the field when a value has the wrong type', () => {
    const error = loadError('[api]\nport = "not a port"\n');
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('config.toml: api.port');
  });

  describe('refuses bad values at load, naming the key and the problem in one line', () => {
    it.each([
      [
        'a global size with an unknown unit',
        '[storage]\nfile_size_limit = "5 parsecs"\n',
        'storage.file_size_limit: invalid size "5 parsecs" (unknown unit "parsecs"',
      ],
      [
        "a bucket's size that is not a size",
        '[storage.buckets.images]\nfile_size_limit = "big"\n',
        'storage.buckets.images.file_size_limit: invalid size "big" (no number',
      ],
      [
        'a negative byte count',
        '[storage]\nfile_size_limit = -1\n',
        'storage.file_size_limit: invalid size -1',
      ],
      [
        'a size of the wrong type',
        '[storage]\nfile_size_limit = true\n',
        'storage.file_size_limit: expected a size such as "50MiB" or a number of bytes, got true',
      ],
      [
        'a duration in days, which Go has no unit for',
        '[auth.email]\nmax_frequency = "2d"\n',
        'auth.email.max_frequency: time: unknown unit "d" in duration "2d"',
      ],
      [
        'an enabled hook whose URI is not a Postgres function',
        '[auth.hook.custom_access_token]\nenabled = true\nuri = "pg-functions://postgres/public"\n',
        'auth.hook.custom_access_token.uri: must look like pg-functions://postgres/<schema>/<function>',
      ],
      [
        'an enabled HTTP hook, which is not served locally',
        '[auth.hook.custom_access_token]\nenabled = true\nuri = "https://example.com/hook"\n',
        'auth.hook.custom_access_token.uri: must look like pg-functions://postgres/<schema>/<function> (HTTP hooks are not served locally), got "https://example.com/hook"',
      ],
      [
        'custom SMTP switched on without a host',
        '[auth.email.smtp]\nenabled = true\nport = 2525\n',
        'auth.email.smtp.host: is required when the section is enabled',
      ],
      [
        'a function secret that is not a string',
        '[edge_runtime.secrets]\nRETRIES = 3\n',
        'edge_runtime.secrets.RETRIES: Invalid input: expected string, received number',
      ],
    ])('%s', (_case, toml, message) => {
      const error = loadError(toml);
      expect(error.code).toBe('config_invalid');
      expect(error.step).toBe('config');
      expect(error.message).toContain(`config.toml: ${message}`);
      expect(error.message).not.toContain('\n');
    });
  });

  it('hands services sizes in bytes, durations in milliseconds and hooks as the function they name', () => {
    const config = loadConfig({
      workdir: project(
        [
          '[storage]',
          'file_size_limit = "5MB"',
          '[storage.buckets.avatars]',
          'file_size_limit = 2048',
          '[storage.buckets.docs]',
          'file_size_limit = "500KB"',
          '[auth.email]',
          'max_frequency = "1m30s"',
          '[auth.hook.custom_access_token]',
          'enabled = true',
          'uri = "pg-functions://postgres/public/add_claims"',
          '[edge_runtime.secrets]',
          'GREETING = "hello"',
        ].join('\n'),
      ),
      env: {},
    });
    // The CLI reads config.toml sizes with binary units: 5MB is 5 MiB.
    expect(config.toml.storage.file_size_limit).toBe(5_242_880);
    expect(config.toml.storage.buckets.avatars?.file_size_limit).toBe(2048);
    expect(config.toml.storage.buckets.docs?.file_size_limit).toBe(512_000);
    expect(config.toml.auth.email.max_frequency).toBe(90_000);
    expect(config.toml.auth.hook.custom_access_token?.function).toEqual({
      schema: 'public',
      name: 'add_claims',
    });
    expect(config.toml.edge_runtime.secrets).toEqual({ GREETING: 'hello' });
  });

  it("gives the CLI's defaults in the parsed units", () => {
    const config = loadConfig({ workdir: project('project_id = "defaults"\n'), env: {} });
    expect(config.toml.storage.file_size_limit).toBe(50 * 1024 ** 2);
    expect(config.toml.auth.email.max_frequency).toBe(1000);
    expect(config.toml.auth.hook.custom_access_token).toBeUndefined();
    expect(config.toml.auth.email.smtp).toBeUndefined();
  });

  it('loads a switched-off hook whatever its URI says', () => {
    const config = loadConfig({
      workdir: project('[auth.hook.custom_access_token]\nenabled = false\nuri = "https://example.com"\n'),
      env: {},
    });
    expect(config.toml.auth.hook.custom_access_token?.function).toBeUndefined();
  });

  it('does not report [auth.email.smtp] as ignored, since Auth sends through it', () => {
    const config = loadConfig({
      workdir: project(
        [
          '[auth.email.smtp]',
          'enabled = true',
          'host = "smtp.example.com"',
          'port = 2525',
          'user = "apikey"',
          'pass = "env(SMTP_PASS)"',
          '[auth.hook.send_email]',
          'enabled = true',
          'uri = "pg-functions://postgres/public/send_email"',
        ].join('\n'),
      ),
      env: { SMTP_PASS: 'secret' },
    });
    expect(config.unsupported).toEqual(['auth.hook.send_email']);
    expect(config.toml.auth.email.smtp).toMatchObject({
      enabled: true,
      host: 'smtp.example.com',
      port: 2525,
      pass: 'secret',
    });
  });

  it('says what to do when there is no supabase/config.toml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'groundwork-empty-'));
    dirs.push(dir);
    expect(() => loadConfig({ workdir: dir, env: {} })).toThrow(/supabase init/);
  });
});
