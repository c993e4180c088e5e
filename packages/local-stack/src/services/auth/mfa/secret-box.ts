import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * TOTP secrets are kept encrypted in auth.mfa_factors.secret, in the shape GoTrue writes with
 * GOTRUE_SECURITY_DB_ENCRYPTION on (`{"key_id","alg":"aes-gcm-hkdf","nonce","data"}`): AES-256-GCM
 * under a key derived with HKDF-SHA256 from the project's JWT secret and salted with the row id,
 * so one row's ciphertext cannot be moved to another.
 */
const ALGORITHM = 'aes-gcm-hkdf';
const KEY_ID = 'groundwork-jwt-secret';

interface EncryptedString {
  key_id: string;
  alg: string;
  nonce: string;
  data: string;
}

function keyFor(masterSecret: string, rowId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterSecret, rowId, 'mfa factor secret', 32));
}

export function sealSecret(masterSecret: string, rowId: string, plain: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(masterSecret, rowId), nonce);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const sealed: EncryptedString = {
    key_id: KEY_ID,
    alg: ALGORITHM,
    nonce: nonce.toString('base64'),
    data: data.toString('base64'),
  };
  return JSON.stringify(sealed);
}

/** The plain secret; a value that is not sealed (written by other tools) is taken as it is, as GoTrue does. */
export function openSecret(masterSecret: string, rowId: string, stored: string): string {
  let sealed: EncryptedString;
  try {
    sealed = JSON.parse(stored) as EncryptedString;
  } catch {
    return stored;
  }
  if (sealed?.alg !== ALGORITHM) return stored;
  const data = Buffer.from(sealed.data, 'base64');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    keyFor(masterSecret, rowId),
    Buffer.from(sealed.nonce, 'base64'),
  );
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString(
    'utf8',
  );
}
