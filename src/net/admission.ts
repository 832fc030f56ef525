// Invite-only admission: before either side accepts any app message or answers any media call, each proves that
// it holds the room secret, by an HMAC-SHA-256 over a fresh random nonce chosen by the other side. The secret
// never crosses the wire; a proof is useless for any other pair of peers, direction or connection.
import { type Room, toBase64Url } from '../room/invite'

/** Bytes of randomness in each challenge: as many as the HMAC output, so a nonce never repeats in practice. */
export const NONCE_BYTES = 32
/** Length of a base64url nonce or proof (32 bytes → 43 characters). */
export const TOKEN_LENGTH = 43

const textEncoder = new TextEncoder()

/**
 * The room's admission key: HKDF-SHA-256 from the secret, salted with the room id, for this purpose only. The
 * seat ids are derived from the same secret by a different construction, so a leaked peer id tells nothing
 * about this key. Not extractable: page scripts can prove, never export.
 */
export async function admissionKey({ roomId, secret }: Room): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', textEncoder.encode(secret), 'HKDF', false, [
    'deriveKey',
  ])
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: textEncoder.encode(roomId),
      info: textEncoder.encode('xr-consult/admit/v1'),
    },
    material,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  )
}

export function newNonce(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)))
}

/**
 * What a proof covers: who proves to whom (so a proof cannot be reflected back or replayed to another peer), the
 * challenger's nonce (so it cannot be replayed on another connection) and the prover's session public key (so
 * the key that signs its ops is the one that proved the secret: nobody can swap in another).
 */
function transcript(
  prover: string,
  verifier: string,
  nonce: string,
  sessionKey: string,
): Uint8Array<ArrayBuffer> {
  return textEncoder.encode(
    `xr-consult/admit/v2|proof|from=${prover}|to=${verifier}|nonce=${nonce}|key=${sessionKey}`,
  )
}

/** Our answer to `verifier`'s challenge. */
export async function prove(
  key: CryptoKey,
  prover: string,
  verifier: string,
  nonce: string,
  sessionKey: string,
): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', key, transcript(prover, verifier, nonce, sessionKey))
  return toBase64Url(new Uint8Array(mac))
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
    return Uint8Array.from(binary, (char) => char.charCodeAt(0))
  } catch {
    return null
  }
}

/**
 * Checks `prover`'s answer to the nonce we sent. WebCrypto's verify compares in constant time, so the time it
 * takes says nothing about how much of a forged proof was right.
 */
export async function verifyProof(
  key: CryptoKey,
  prover: string,
  verifier: string,
  nonce: string,
  proof: string,
  sessionKey: string,
): Promise<boolean> {
  const mac = fromBase64Url(proof)
  if (mac?.length !== 32) return false
  return crypto.subtle.verify('HMAC', key, mac, transcript(prover, verifier, nonce, sessionKey))
}
