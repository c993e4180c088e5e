/**
 * @simplewebauthn/server, loaded with the first WebAuthn ceremony (an MFA factor's or a
 * passkey's), not at stack start: with its ASN.1/X.509 dependencies it is some 300 modules and
 * ~4 MB of heap that an idle stack, and one whose users never use a security key, would hold.
 * Import its types statically; its functions through this.
 */
export const webAuthnLibrary = () => import('@simplewebauthn/server');
