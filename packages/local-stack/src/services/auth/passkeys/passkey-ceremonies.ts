import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AuthError } from '../error-codes.ts';
import type { RelyingParty } from '../mfa/mfa-settings.ts';
import type { JsonObject } from '../request-body.ts';
import { isUuid } from '../request-context.ts';
import type { UserRow } from '../users.ts';
import { webAuthnLibrary } from '../webauthn-library.ts';
import { userHandleOf } from '../webauthn-user-handle.ts';
import type { NewPasskey, PasskeyRow } from './passkey-store.ts';

/** go-webauthn's default ceremony timeout, which GoTrue's options carry (ms). */
const CEREMONY_TIMEOUT_MS = 300_000;

/** GoTrue's webAuthnUser name: the email, else the phone; display name: user_metadata.name, else that. */
function webAuthnNames(user: UserRow): { name: string; displayName: string } {
  const name = user.email || user.phone || '';
  const metaName = (user.raw_user_meta_data as { name?: unknown } | null)?.name;
  return { name, displayName: typeof metaName === 'string' && metaName !== '' ? metaName : name };
}

/**
 * Registration options as GoTrue's getPasskeyWebAuthn makes them: a discoverable credential
 * (resident key required), user verification preferred, no attestation, the user's passkeys excluded.
 */
export async function passkeyRegistrationOptions(rp: RelyingParty, user: UserRow, existing: PasskeyRow[]) {
  const { name, displayName } = webAuthnNames(user);
  const { generateRegistrationOptions } = await webAuthnLibrary();
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userID: userHandleOf(user.id),
    userName: name,
    userDisplayName: displayName,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({ id: passkey.credential_id.toString('base64url') })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  });
}

/** Discoverable sign-in options: no allowCredentials, so the authenticator offers its passkeys. */
export async function passkeyAuthenticationOptions(rp: RelyingParty) {
  const { generateAuthenticationOptions } = await webAuthnLibrary();
  return generateAuthenticationOptions({
    rpID: rp.id,
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'preferred',
  });
}

const verificationFailed = (cause?: unknown) =>
  new AuthError('webauthn_verification_failed', 'Credential verification failed', { cause });

/** Checks a registration answer against the challenge and the relying party. */
export async function verifyPasskeyRegistration(
  rp: RelyingParty,
  userId: string,
  challenge: string,
  credential: JsonObject,
): Promise<NewPasskey> {
  const { verifyRegistrationResponse } = await webAuthnLibrary();
  const registration = await verifyRegistrationResponse({
    response: credential as unknown as RegistrationResponseJSON,
    expectedChallenge: challenge,
    expectedOrigin: rp.origins,
    expectedRPID: rp.id,
    requireUserVerification: false,
  }).catch((error: unknown) => {
    throw verificationFailed(error);
  });
  const info = registration.registrationInfo;
  if (!registration.verified || !info) throw verificationFailed();
  return {
    userId,
    credentialId: Buffer.from(info.credential.id, 'base64url'),
    publicKey: Buffer.from(info.credential.publicKey),
    signCount: info.credential.counter,
    transports: info.credential.transports ?? [],
    aaguid: info.aaguid === '00000000-0000-0000-0000-000000000000' ? null : info.aaguid,
    backupEligible: info.credentialDeviceType === 'multiDevice',
    backedUp: info.credentialBackedUp,
    // GoTrue names it after the authenticator's AAGUID from a registry of known models; without
    // that registry every passkey is GoTrue's fallback name.
    friendlyName: 'Passkey',
  };
}

/**
 * The user an assertion claims to come from: its user handle, which must be a user id
 * (GoTrue: "User handle missing" / not a UUID both end as a failed verification).
 */
export function claimedUserId(credential: JsonObject): string {
  const response = credential.response as { userHandle?: unknown } | undefined;
  const handle = typeof response?.userHandle === 'string' ? response.userHandle : '';
  const userId = Buffer.from(handle, 'base64url').toString('utf8');
  if (!isUuid(userId)) throw verificationFailed();
  return userId;
}

/** Checks a sign-in assertion, signed by one of the claimed user's passkeys; returns that passkey and its new counter. */
export async function verifyPasskeyAssertion(
  rp: RelyingParty,
  challenge: string,
  credential: JsonObject,
  passkeys: PasskeyRow[],
): Promise<{ passkey: PasskeyRow; newCounter: number }> {
  const rawId = typeof credential.rawId === 'string' ? credential.rawId : credential.id;
  const passkey = passkeys.find((candidate) => candidate.credential_id.toString('base64url') === rawId);
  if (!passkey) throw verificationFailed();
  const { verifyAuthenticationResponse } = await webAuthnLibrary();
  const authentication = await verifyAuthenticationResponse({
    response: credential as unknown as AuthenticationResponseJSON,
    expectedChallenge: challenge,
    expectedOrigin: rp.origins,
    expectedRPID: rp.id,
    credential: {
      id: passkey.credential_id.toString('base64url'),
      publicKey: new Uint8Array(passkey.public_key),
      counter: Number(passkey.sign_count),
      transports: passkey.transports as AuthenticatorTransport[],
    },
    requireUserVerification: false,
  }).catch((error: unknown) => {
    throw verificationFailed(error);
  });
  if (!authentication.verified) throw verificationFailed();
  return { passkey, newCounter: authentication.authenticationInfo.newCounter };
}
