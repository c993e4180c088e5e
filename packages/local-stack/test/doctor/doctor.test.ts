import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FINDING_KINDS, type Finding, type FindingKind, runDoctor } from '../../src/index.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/groundwork.js', import.meta.url).pathname;
const repository = new URL('../../../../', import.meta.url).pathname;

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A project folder holding exactly these files (paths under it), with a minimal config.toml unless given. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'groundwork-doctor-'));
  made.push(dir);
  const all = { 'supabase/config.toml': 'project_id = "doctor"\n', ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const findingsOf = (files: Record<string, string>, kind?: FindingKind): Finding[] =>
  runDoctor({ workdir: project(files), env: {} }).findings.filter(
    (f) => kind === undefined || f.kind === kind,
  );

const HELLO = 'Deno.serve(() => new Response("ok"));\n';

describe('groundwork doctor findings, one fixture per kind', () => {
  it('finds nothing in a project hosted takes as it is', () => {
    expect(
      findingsOf({
        'supabase/functions/hello/index.ts': `import { z } from 'npm:zod@4';\nimport { cors } from '../_shared/cors.ts';\n${HELLO}`,
        'supabase/functions/_shared/cors.ts': 'export const cors = {};\n',
        'supabase/migrations/20250101000000_init.sql':
          'create extension if not exists pg_cron with schema pg_catalog;\ncreate table public.notes (id uuid primary key references auth.users (id));\ncreate trigger t after insert on auth.users for each row execute function public.f();\ncreate policy "Anyone reads" on storage.objects for select using (true);\n',
      }),
    ).toEqual([]);
  });

  it('config-invalid: a config.toml the CLI would refuse', () => {
    const [finding] = findingsOf({ 'supabase/config.toml': '[api]\nport = "not a port"\n' });
    expect(finding).toMatchObject({
      kind: 'config-invalid',
      severity: 'error',
      file: 'supabase/config.toml',
    });
    expect(finding?.message).toContain('api.port');
  });

  it('import-outside-functions: a relative import and an import-map entry reaching outside supabase/functions', () => {
    const findings = findingsOf(
      {
        'supabase/functions/hello/index.ts': `import { x } from '../../../lib/x.ts';\nimport { y } from 'lib/y.ts';\n${HELLO}`,
        'supabase/functions/hello/deno.json': JSON.stringify({ imports: { 'lib/': '../../../lib/' } }),
        'lib/x.ts': 'export const x = 1;\n',
        'lib/y.ts': 'export const y = 1;\n',
      },
      'import-outside-functions',
    );
    expect(findings.map((f) => [f.file, f.line, f.severity])).toEqual([
      ['supabase/functions/hello/index.ts', 1, 'error'],
      ['supabase/functions/hello/index.ts', 2, 'error'],
    ]);
    expect(findings[0]?.message).toBe(
      'function hello imports "../../../lib/x.ts" (lib/x.ts), outside supabase/functions: the deployed bundle won\'t contain it',
    );
    expect(findings[0]?.fix).toContain('supabase/functions/_shared/');
  });

  it('import-unfetchable: modules from a local address or plain http', () => {
    const findings = findingsOf(
      {
        'supabase/functions/hello/index.ts': `import a from 'http://localhost:8000/a.ts';\nimport b from 'http://example.com/b.ts';\nimport c from 'https://esm.sh/c';\n${HELLO}`,
      },
      'import-unfetchable',
    );
    expect(findings.map((f) => f.line)).toEqual([1, 2]);
    expect(findings[0]?.message).toContain("which hosted can't fetch (a local address)");
    expect(findings[1]?.message).toContain('(plain http)');
  });

  it('import-unmapped: a bare specifier no deno.json maps, also in a shared file the function reaches', () => {
    const findings = findingsOf(
      {
        'supabase/functions/hello/index.ts': `import { shared } from '../_shared/s.ts';\n${HELLO}`,
        'supabase/functions/_shared/s.ts': "import { z } from 'zod';\nexport const shared = z;\n",
      },
      'import-unmapped',
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ file: 'supabase/functions/_shared/s.ts', line: 1 });
    expect(findings[0]?.fix).toContain('"npm:zod"');
  });

  it('env-undeclared: a secret read directly or through a reader, that .env.example does not declare', () => {
    const findings = findingsOf(
      {
        'supabase/functions/hello/index.ts': [
          "import { required } from '../_shared/env.ts';",
          "const a = Deno.env.get('STRIPE_SECRET_KEY');",
          "const b = required('WEBHOOK_URL');",
          "const c = Deno.env.get('SITE_URL') ?? Deno.env.get('SMTP_HOST') ?? Deno.env.get('SUPABASE_URL');",
          HELLO,
        ].join('\n'),
        'supabase/functions/_shared/env.ts':
          'export function required(name: string): string {\n  const value = Deno.env.get(name);\n  if (!value) throw new Error(name);\n  return value;\n}\n',
        'supabase/functions/.env.example': 'SITE_URL=http://127.0.0.1:3000\n# SMTP_HOST=smtp.example.com\n',
      },
      'env-undeclared',
    );
    expect(findings.map((f) => [f.line, f.message.split(',')[0]])).toEqual([
      [2, 'function hello reads STRIPE_SECRET_KEY'],
      [3, 'function hello reads WEBHOOK_URL'],
    ]);
    expect(findings[0]?.fix).toBe(
      'add STRIPE_SECRET_KEY= to supabase/functions/.env.example and set it on hosted with supabase secrets set',
    );
  });

  it('migration-privilege: DDL on platform-owned objects, role attributes and superuser-only statements', () => {
    const findings = findingsOf(
      {
        'supabase/migrations/20250101000000_bad.sql': [
          'alter table auth.users add column plan text;',
          '-- alter table auth.users drop column email;  (a comment is not a statement)',
          'create function storage.mine() returns int language sql as $$ select 1 $$;',
          'create index on auth.users (created_at);',
          'create role robot login superuser;',
          "alter system set work_mem = '64MB';",
          "copy public.notes from program 'cat /etc/passwd';",
          'drop function if exists realtime.send(jsonb, text, text, boolean);',
        ].join('\n'),
      },
      'migration-privilege',
    );
    expect(findings.map((f) => f.line)).toEqual([1, 3, 4, 5, 6, 7, 8]);
    expect(findings[0]?.message).toBe(
      'alter table auth.users: hosted answers "must be owner of table users"',
    );
    expect(
      findings.every(
        (f) => f.severity === 'error' && f.file === 'supabase/migrations/20250101000000_bad.sql',
      ),
    ).toBe(true);
  });

  it('extension-not-offered: an extension hosted does not install, while the offered ones pass', () => {
    const findings = findingsOf(
      {
        'supabase/migrations/20250101000000_ext.sql':
          'create extension plpython3u;\ncreate extension if not exists "uuid-ossp";\ncreate extension vector with schema extensions;\ncreate extension if not exists pg_net;\n',
      },
      'extension-not-offered',
    );
    expect(findings.map((f) => [f.line, f.message])).toEqual([
      [1, "create extension plpython3u: hosted Supabase doesn't offer it"],
    ]);
  });

  it('auth-url-local and config-not-pushed: Auth settings hosted only gets from supabase config push', () => {
    const findings = findingsOf({
      'supabase/config.toml': [
        'project_id = "doctor"',
        '[auth]',
        'site_url = "http://127.0.0.1:3000"',
        '[auth.email.smtp]',
        'enabled = true',
        'host = "smtp.example.com"',
        'port = 465',
        'user = "me"',
        'pass = "env(SMTP_PASS)"',
        'admin_email = "me@example.com"',
        'sender_name = "Me"',
      ].join('\n'),
    });
    expect(findings.map((f) => [f.kind, f.severity, f.line])).toEqual([
      ['auth-url-local', 'warning', 3],
      ['config-not-pushed', 'notice', 2],
    ]);
    expect(findings[1]?.message).toBe(
      "hosted doesn't read config.toml; these reach the project only when pushed: auth.site_url, auth.email.smtp",
    );
    expect(findings[1]?.fix).toBe(
      'supabase config push (it shows the changes and asks first), with SMTP_PASS set in its environment',
    );
  });

  it('buckets-not-pushed and secrets-not-pushed: buckets and function secrets declared in config.toml', () => {
    const findings = findingsOf({
      'supabase/config.toml':
        'project_id = "doctor"\n[storage.buckets.avatars]\npublic = true\n[edge_runtime.secrets]\nSTRIPE_SECRET_KEY = "sk_test_1"\n',
    });
    expect(findings.map((f) => [f.kind, f.line, f.fix])).toEqual([
      ['buckets-not-pushed', 2, 'supabase seed buckets (or create them in a migration)'],
      ['secrets-not-pushed', 4, 'supabase secrets set NAME=value (or --env-file) on the hosted project'],
    ]);
  });

  it('function-unverified: verify_jwt = false without a caller check; a signature check or a declaration passes', () => {
    const findings = findingsOf(
      {
        'supabase/config.toml':
          'project_id = "doctor"\n[functions.open]\nverify_jwt = false\n[functions.stripe-hook]\nverify_jwt = false\n[functions.declared]\nverify_jwt = false\n',
        'supabase/functions/open/index.ts': HELLO,
        'supabase/functions/stripe-hook/index.ts': `import { check } from '../_shared/check.ts';\n${HELLO}`,
        'supabase/functions/_shared/check.ts':
          "import Stripe from 'npm:stripe';\nexport const check = (s: Stripe, b: string, h: string) => s.webhooks.constructEventAsync(b, h, 'whsec');\n",
        'supabase/functions/declared/index.ts': `// groundwork-doctor: verifies-caller mutual TLS at the proxy\n${HELLO}`,
      },
      'function-unverified',
    );
    expect(findings.map((f) => [f.file, f.severity])).toEqual([
      ['supabase/functions/open/index.ts', 'error'],
    ]);
    expect(findings[0]?.message).toContain('function open has verify_jwt = false and checks no caller');
  });

  it('has a fixture above for every kind it can report', async () => {
    const source = await import('node:fs').then((fs) => fs.readFileSync(new URL(import.meta.url), 'utf8'));
    const titles = [...source.matchAll(/\bit\('([^']*)'/g)].map((match) => match[1]).join('\n');
    for (const kind of FINDING_KINDS) expect(titles, kind).toMatch(new RegExp(`\\b${kind}\\b`));
  });
});

describe('groundwork doctor, the command', () => {
  it('passes on this repository (as npm test runs it)', async () => {
    const { stdout } = await run(process.execPath, [bin, 'doctor', '--workdir', repository]);
    expect(stdout).toMatch(/^groundwork doctor: 0 errors, \d+ warnings?, \d+ notices?$/m);
  });

  it('exits 1 on an error, printing the file, the finding and the fix; -o json gives the same findings', async () => {
    const dir = project({
      'supabase/migrations/20250101000000_bad.sql': 'alter table auth.users add column plan text;\n',
    });
    const text = await run(process.execPath, [bin, 'doctor', '--workdir', dir]).then(
      () => expect.unreachable('doctor exited 0'),
      (error: { code: number; stdout: string }) => error,
    );
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      'error   supabase/migrations/20250101000000_bad.sql:1  [migration-privilege]',
    );
    expect(text.stdout).toContain('fix: keep your columns and logic in your own schema');
    expect(text.stdout).toContain('groundwork doctor: 1 error, 0 warnings, 0 notices');
    const json = await run(process.execPath, [bin, 'doctor', '-o', 'json', '--workdir', dir]).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      errors: 1,
      findings: [{ kind: 'migration-privilege', line: 1 }],
    });
  });
});
