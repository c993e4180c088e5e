/**
 * Two-factor sign-in with an authenticator app (TOTP): turn it on by scanning the QR code (or
 * typing the secret) and confirming one code, see it, turn it off; and with security keys
 * (SecurityKeys.tsx). On supabase-js's MFA API through the SDK's client (`gw.supabase.auth.mfa`;
 * `gw.auth` has no MFA methods).
 */
import type { GroundworkClient } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';
import { Alert, Field, Notice, text, useAction } from '../ui.tsx';
import { authFailure } from './auth-failure.ts';
import { type KeyFactor, SecurityKeys } from './SecurityKeys.tsx';

export function TwoFactor({ gw }: { gw: GroundworkClient }) {
  const mfa = gw.supabase.auth.mfa;
  const [factors, setFactors] = useState<KeyFactor[] | null>(null);
  const [enrolling, setEnrolling] = useState<{ id: string; qr: string; secret: string } | null>(null);
  const load = useCallback(() => {
    mfa.listFactors().then(
      ({ data }) => setFactors((data?.all ?? []) as KeyFactor[]),
      () => setFactors([]),
    );
  }, [mfa]);
  useEffect(load, [load]);

  const start = useAction(async () => {
    const { data, error } = await mfa.enroll({ factorType: 'totp', friendlyName: 'Authenticator app' });
    if (error) throw authFailure(error);
    setEnrolling({ id: data.id, qr: data.totp.qr_code, secret: data.totp.secret });
  });
  const confirm = useAction(async (code: string) => {
    if (!enrolling) return;
    const { error } = await mfa.challengeAndVerify({ factorId: enrolling.id, code });
    if (error) throw authFailure(error, 'code');
    setEnrolling(null);
    load();
  });
  const remove = useAction(async (factorId: string) => {
    const { error } = await mfa.unenroll({ factorId });
    if (error) throw authFailure(error);
    load();
  });

  const verified = (factors ?? []).filter((factor) => factor.status === 'verified');
  const apps = verified.filter((factor) => factor.factor_type === 'totp');
  return (
    <section className="panel" aria-labelledby="two-factor-heading">
      <h2 id="two-factor-heading">Two-factor authentication</h2>
      {verified.length > 0 ? (
        <Notice>
          Two-factor authentication is on: signing in asks for{' '}
          {apps.length > 0 && verified.length > apps.length
            ? 'a code from your authenticator app or your security key'
            : apps.length > 0
              ? 'a code from your authenticator app'
              : 'your security key'}
          .
        </Notice>
      ) : (
        <p>Off. Add a code from an authenticator app or a security key to every sign-in.</p>
      )}
      <h3>Authenticator app</h3>
      {apps.length > 0 ? (
        <>
          {apps.map((factor) => (
            <button
              key={factor.id}
              type="button"
              className="secondary"
              disabled={remove.busy}
              onClick={() => void remove.run(factor.id)}
            >
              Turn off ({factor.friendly_name ?? 'authenticator app'})
            </button>
          ))}
          <Alert problem={remove.problem} />
        </>
      ) : enrolling ? (
        <form
          aria-label="Confirm two-factor authentication"
          noValidate
          onSubmit={confirm.onSubmit((f) => [text(f, 'code')])}
        >
          <p>Scan this with your authenticator app, or type the key, then enter the 6-digit code it shows.</p>
          <img
            className="qr"
            src={enrolling.qr}
            alt="QR code for your authenticator app"
            width={180}
            height={180}
          />
          <p>
            Key: <code data-testid="totp-secret">{enrolling.secret}</code>
          </p>
          <Field
            label="Code from the app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            error={confirm.fields.code}
          />
          <Alert problem={confirm.fields.code ? null : confirm.problem} />
          <button type="submit" disabled={confirm.busy}>
            Turn on
          </button>
        </form>
      ) : (
        <>
          <button type="button" disabled={start.busy || factors === null} onClick={() => void start.run()}>
            Set up an authenticator app
          </button>
          <Alert problem={start.problem} />
        </>
      )}
      <SecurityKeys gw={gw} factors={factors} onChange={load} />
    </section>
  );
}
