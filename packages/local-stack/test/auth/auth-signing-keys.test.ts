import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSupabaseCli } from '../../src/processes/supabase-cli.ts';
import { createAuthService } from '../../src/services/auth/index.ts';
import { createMailCatcherService } from '../../src/services/mail/index.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';
import { clientFor, fixture, restAs, uniqueEmail } from './auth-test-stack.ts';

// The real `supabase gen signing-key` makes the key, per run, in a temporary copy of the project.
let stack: TestStack;
let workdir: string;
let keyId: string;
beforeAll(async () => {
  workdir = mkdtempSync(join(tmpdir(), 'groundwork-auth-keys-'));
  cpSync(fixture('auth-project'), workdir, { recursive: true });
  const generated = await runSupabaseCli(['gen', 'signing-key', '--algorithm', 'ES256'], {
    cwd: workdir,
  });
  const jwk = JSON.parse(generated.stdout.split('\n')[0] ?? '') as { kid: string };
  keyId = jwk.kid;
  writeFileSync(join(workdir, 'supabase', 'signing_keys.json'), JSON.stringify([jwk]));
  const configPath = join(workdir, 'supabase', 'config.toml');
  writeFileSync(
    configPath,
    readFileSync(configPath, 'utf8').replace(
      '# signing_keys_path = "./signing_keys.json"',
      'signing_keys_path = "./signing_keys.json"',
    ),
  );
  stack = await startTestStack({ workdir, services: [createMailCatcherService, createAuthService] });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(workdir, { recursive: true, force: true });
});

describe('asymmetric signing keys from [auth] signing_keys_path', () => {
  it('signs access tokens with ES256, publishes the public key, and getClaims() verifies it', async () => {
    const jwks = await (await fetch(`${stack.apiUrl}/auth/v1/.well-known/jwks.json`)).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid: keyId, kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(jwks.keys[0].d).toBeUndefined();

    const email = uniqueEmail('es256');
    const admin = clientFor(stack, { key: stack.keys.serviceRoleKey });
    await admin.auth.admin.createUser({ email, password: 'correct1horse', email_confirm: true });
    const supabase = clientFor(stack);
    const { data, error } = await supabase.auth.signInWithPassword({ email, password: 'correct1horse' });
    expect(error).toBeNull();
    const token = data.session?.access_token ?? '';
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({
      alg: 'ES256',
      kid: keyId,
    });

    const claims = await supabase.auth.getClaims();
    expect(claims.error).toBeNull();
    expect(claims.data?.claims.sub).toBe(data.user?.id);
    expect((await supabase.auth.getUser()).data.user?.email).toBe(email);
    expect((await restAs(stack, token).rpc('whoami')).data).toBe(data.user?.id);
  });
});
