/**
 * The second step of signing in for someone with two-factor authentication on: a code from the
 * authenticator app, or one of their security keys, whichever they have set up.
 */
import type { GroundworkClient } from '@groundwork/sdk';
import { useEffect, useState } from 'react';
import { Alert, Field, text, useAction } from '../ui.tsx';
import { authFailure, keyFailure } from './auth-failure.ts';

interface Verified {
  id: string;
  friendly_name?: string | undefined;
}

export function MfaChallenge({ gw, onVerified }: { gw: GroundworkClient; onVerified: () => void }) {
  const mfa = gw.supabase.auth.mfa;
  const [factors, setFactors] = useState<{ apps: Verified[]; keys: Verified[] } | null>(null);
  useEffect(() => {
    mfa.listFactors().then(
      ({ data }) => setFactors({ apps: data?.totp ?? [], keys: data?.webauthn ?? [] }),
      () => setFactors({ apps: [], keys: [] }),
    );
  }, [mfa]);
  const verify = useAction(async (code: string) => {
    const factor = factors?.apps[0];
    if (!factor) throw authFailure({ message: 'No authenticator app is set up.' });
    const { error } = await mfa.challengeAndVerify({ factorId: factor.id, code });
    if (error) throw authFailure(error, 'code');
    onVerified();
  });
  const withKey = useAction(async (factorId: string) => {
    const { error } = await mfa.webauthn.authenticate({ factorId, webauthn: {} });
    if (error) throw keyFailure(error);
    onVerified();
  });
  const signOut = (
    <button type="button" className="secondary" onClick={() => void gw.auth.signOut()}>
      Sign out
    </button>
  );
  if (factors === null) return <p className="centered">Loading…</p>;
  return (
    <main className="centered auth">
      <h1>Two-factor authentication</h1>
      {factors.keys.length > 0 ? (
        <section aria-labelledby="use-key-heading">
          <h2 id="use-key-heading">Use your security key</h2>
          {factors.keys.map((key) => (
            <button
              key={key.id}
              type="button"
              disabled={withKey.busy}
              onClick={() => void withKey.run(key.id)}
            >
              Use {key.friendly_name ?? 'security key'}
            </button>
          ))}
          <Alert problem={withKey.problem} />
        </section>
      ) : null}
      {factors.apps.length > 0 ? (
        <form
          aria-label="Enter your authentication code"
          noValidate
          onSubmit={verify.onSubmit((f) => [text(f, 'code')])}
        >
          <p>Enter the 6-digit code from your authenticator app.</p>
          <Field
            label="Authentication code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            error={verify.fields.code}
          />
          <Alert problem={verify.fields.code ? null : verify.problem} />
          <div className="row">
            <button type="submit" disabled={verify.busy}>
              Verify
            </button>
            {signOut}
          </div>
        </form>
      ) : (
        <div className="row">{signOut}</div>
      )}
    </main>
  );
}
