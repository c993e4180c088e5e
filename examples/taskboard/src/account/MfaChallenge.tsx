/** The second step of signing in for someone with two-factor authentication on. */
import type { GroundworkClient } from '@groundwork/sdk';
import { Alert, Field, text, useAction } from '../ui.tsx';
import { authFailure } from './auth-failure.ts';

export function MfaChallenge({ gw, onVerified }: { gw: GroundworkClient; onVerified: () => void }) {
  const mfa = gw.supabase.auth.mfa;
  const verify = useAction(async (code: string) => {
    const { data } = await mfa.listFactors();
    const factor = data?.totp.find((candidate) => candidate.status === 'verified');
    if (!factor) throw authFailure({ message: 'No authenticator app is set up.' });
    const { error } = await mfa.challengeAndVerify({ factorId: factor.id, code });
    if (error) throw authFailure(error, 'code');
    onVerified();
  });
  return (
    <main className="centered auth">
      <h1>Two-factor authentication</h1>
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
          <button type="button" className="secondary" onClick={() => void gw.auth.signOut()}>
            Sign out
          </button>
        </div>
      </form>
    </main>
  );
}
