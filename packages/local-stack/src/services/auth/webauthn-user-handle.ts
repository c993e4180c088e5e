/**
 * The user handle GoTrue gives WebAuthn credentials, MFA factors and passkeys alike: the user
 * id's text (models.User.WebAuthnID, `[]byte(user.ID.String())`). A passkey sign-in reads it
 * back from the assertion to find the user.
 */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, 'utf8'));
}
