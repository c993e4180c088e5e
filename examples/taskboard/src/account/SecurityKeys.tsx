/**
 * Security keys (WebAuthn factors) as a second step of signing in: add one (the browser asks the
 * key to make a credential for this site), see them, remove one. On supabase-js's
 * `mfa.webauthn.register` through the SDK's client; Auth checks the credential against
 * `[auth.webauthn]` (relying party id and origins).
 */
import { type GroundworkClient, GroundworkError } from '@groundwork/sdk';
import { Alert, Field, FormEnd, text, useAction } from '../ui.tsx';
import { authFailure, keyFailure } from './auth-failure.ts';

export interface KeyFactor {
  id: string;
  friendly_name?: string | undefined;
  status: string;
  factor_type: string;
}

export function SecurityKeys({
  gw,
  factors,
  onChange,
}: {
  gw: GroundworkClient;
  factors: KeyFactor[] | null;
  onChange: () => void;
}) {
  const mfa = gw.supabase.auth.mfa;
  const keys = (factors ?? []).filter((f) => f.factor_type === 'webauthn' && f.status === 'verified');
  const add = useAction(async (name: string) => {
    if (!name) {
      throw new GroundworkError('validation_failed', 'Give the key a name.', {
        fields: { key_name: ['is required'] },
      });
    }
    // A key that was asked but never answered leaves an unverified factor behind: clear those first.
    for (const stale of (factors ?? []).filter(
      (f) => f.factor_type === 'webauthn' && f.status !== 'verified',
    )) {
      await mfa.unenroll({ factorId: stale.id });
    }
    // rpId and origin default to this page's: Auth accepts them only if [auth.webauthn] lists them.
    const { error } = await mfa.webauthn.register({ friendlyName: name, webauthn: {} });
    if (error) throw keyFailure(error);
    onChange();
  });
  const remove = useAction(async (factorId: string) => {
    const { error } = await mfa.unenroll({ factorId });
    if (error) throw authFailure(error);
    onChange();
  });
  return (
    <section aria-labelledby="security-keys-heading">
      <h3 id="security-keys-heading">Security keys</h3>
      {keys.length > 0 ? (
        <ul aria-label="Security keys" className="cards">
          {keys.map((key) => (
            <li key={key.id} className="row spread wrap">
              <span>{key.friendly_name ?? 'Security key'}</span>
              <button
                type="button"
                className="secondary"
                disabled={remove.busy}
                onClick={() => void remove.run(key.id)}
              >
                Remove {key.friendly_name ?? 'security key'}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p>None yet.</p>
      )}
      <Alert problem={remove.problem} />
      <form
        aria-label="Add a security key"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          void add.run(text(new FormData(form), 'key_name')).then((added) => added && form.reset());
        }}
      >
        <Field
          label="Key name"
          name="key_name"
          placeholder="e.g. YubiKey"
          maxLength={60}
          error={add.fields.key_name}
        />
        <FormEnd action={add}>Add security key</FormEnd>
      </form>
    </section>
  );
}
