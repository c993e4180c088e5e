import type { AuthenticatorTransport } from '@simplewebauthn/server';
import type { AuthRuntime } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import type { JsonBody, JsonObject } from '../request-body.ts';
import type { Queryable, UserRow } from '../users.ts';
import { webAuthnLibrary } from '../webauthn-library.ts';
import { userHandleOf } from '../webauthn-user-handle.ts';
import type { ChallengeRow } from './challenges.ts';
import type { FactorRow } from './factors.ts';
import type { RelyingParty } from './mfa-settings.ts';

/** What auth.mfa_factors.web_authn_credential holds for a verified WebAuthn factor. */
export interface StoredCredential {
  id: string;
  /** COSE public key, base64url. */
  public_key: string;
  counter: number;
  transports: AuthenticatorTransport[];
  aaguid: string;
}

/** What auth.mfa_challenges.web_authn_session_data holds between challenge and verify. */
interface CeremonySession {
  type: 'create' | 'request';
  challenge: string;
  user_id: string;
}

export interface WebAuthnVerification {
  /** Writes the credential (first verification) or its new signature counter. */
  save(): Promise<void>;
}

/** The credentials of the user's verified WebAuthn factors. */
async function credentialsOf(db: Queryable, userId: string): Promise<StoredCredential[]> {
  const { rows } = await db.query<{ web_authn_credential: StoredCredential }>(
    `select web_authn_credential from auth.mfa_factors
      where user_id = $1 and factor_type = 'webauthn' and status = 'verified' and web_authn_credential is not null`,
    [userId],
  );
  return rows.map((row) => row.web_authn_credential);
}

/**
 * The challenge's `webauthn` part as GoTrue answers it: `create` options (an unverified factor
 * registers a credential, the user's others excluded) or `request` options (a verified one
 * proves it holds its credential), both under `credential_options.publicKey`.
 */
export async function webAuthnChallengeOptions(
  runtime: AuthRuntime,
  db: Queryable,
  user: UserRow,
  factor: FactorRow,
  _body: JsonBody,
): Promise<{ sessionData: Record<string, unknown>; response: Record<string, unknown> }> {
  const rp = runtime.settings.mfa.relyingParty;
  const { generateAuthenticationOptions, generateRegistrationOptions } = await webAuthnLibrary();
  if (factor.status === 'unverified') {
    const options = await generateRegistrationOptions({
      rpName: rp.name,
      rpID: rp.id,
      userID: userHandleOf(user.id),
      userName: user.email ?? '',
      userDisplayName: user.email ?? '',
      attestationType: 'none',
      excludeCredentials: (await credentialsOf(db, user.id)).map((credential) => ({
        id: credential.id,
        transports: credential.transports,
      })),
      authenticatorSelection: { residentKey: 'discouraged', userVerification: 'preferred' },
    });
    return {
      sessionData: { type: 'create', challenge: options.challenge, user_id: user.id },
      response: { type: 'create', credential_options: { publicKey: options } },
    };
  }
  const credential = factor.web_authn_credential as StoredCredential | null;
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: credential ? [{ id: credential.id, transports: credential.transports }] : [],
    userVerification: 'preferred',
  });
  return {
    sessionData: { type: 'request', challenge: options.challenge, user_id: user.id },
    response: { type: 'request', credential_options: { publicKey: options } },
  };
}

/** The `webauthn` part of a verify request: which ceremony it answers, and the browser's credential. */
export interface WebAuthnAnswer {
  type: 'create' | 'request';
  response: JsonObject;
}

/**
 * GoTrue's checks of the `webauthn` parameters, made before the challenge is looked up (so a
 * missing or malformed answer is a 400 whatever the challenge id).
 */
export function webAuthnAnswerFrom(params: JsonObject | undefined): WebAuthnAnswer {
  if (!params) throw new AuthError('validation_failed', 'WebAuthn config required');
  const type = params.type;
  if (type !== 'create' && type !== 'request') {
    throw new AuthError('validation_failed', 'WebAuthn type must be create or request');
  }
  const response = params.credential_response;
  if (typeof response !== 'object' || response === null || Array.isArray(response)) {
    throw new AuthError('validation_failed', 'credential_response required');
  }
  return { type, response: response as JsonObject };
}

/**
 * Checks the browser's answer to the challenge (GoTrue's verifyWebAuthnFactor): a `create`
 * answer registers the factor's credential, a `request` answer must be signed by it.
 */
export async function verifyWebAuthnResponse(
  runtime: AuthRuntime,
  db: Queryable,
  factor: FactorRow,
  challenge: ChallengeRow,
  { type, response }: WebAuthnAnswer,
): Promise<WebAuthnVerification> {
  const session = challenge.web_authn_session_data as CeremonySession | null;
  if (!session || session.type !== type) {
    throw new AuthError('validation_failed', 'Invalid credential_response');
  }
  const rp = runtime.settings.mfa.relyingParty;
  const { verifyAuthenticationResponse, verifyRegistrationResponse } = await webAuthnLibrary();
  if (type === 'create') {
    const registration = await checked(() =>
      verifyRegistrationResponse({
        response: response as never,
        expectedChallenge: session.challenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.id,
        requireUserVerification: false,
      }),
    );
    const info = registration.registrationInfo;
    if (!registration.verified || !info) throw refusal();
    const stored: StoredCredential = {
      id: info.credential.id,
      public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: (info.credential.transports ?? []) as AuthenticatorTransport[],
      aaguid: info.aaguid,
    };
    return {
      save: async () => {
        await db.query(
          `update auth.mfa_factors
              set web_authn_credential = $2, web_authn_aaguid = $3::uuid,
                  last_webauthn_challenge_data = $4, updated_at = now()
            where id = $1`,
          [factor.id, stored, info.aaguid, { type, challenge: session.challenge }],
        );
      },
    };
  }
  const credential = factor.web_authn_credential as StoredCredential | null;
  if (!credential) throw refusal();
  const authentication = await checked(() =>
    verifyAuthenticationResponse({
      response: response as never,
      expectedChallenge: session.challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: {
        id: credential.id,
        publicKey: Buffer.from(credential.public_key, 'base64url'),
        counter: credential.counter,
        transports: credential.transports,
      },
      requireUserVerification: false,
    }),
  );
  if (!authentication.verified) throw refusal();
  return {
    save: async () => {
      await db.query(
        `update auth.mfa_factors
            set web_authn_credential = jsonb_set(web_authn_credential, '{counter}', to_jsonb($2::bigint)),
                last_webauthn_challenge_data = $3, updated_at = now()
          where id = $1`,
        [factor.id, authentication.authenticationInfo.newCounter, { type, challenge: session.challenge }],
      );
    },
  };
}

/**
 * GoTrue answers a credential that does not verify with go-webauthn's error (a 500 for an
 * assertion); here it is the caller's input, so a 422 with the verification-failed code.
 */
function refusal(detail?: string): AuthError {
  return new AuthError(
    'mfa_verification_failed',
    `Failed to validate WebAuthn MFA response${detail ? `: ${detail}` : ''}`,
  );
}

async function checked<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw refusal((error as Error).message);
  }
}

export type { RelyingParty };
