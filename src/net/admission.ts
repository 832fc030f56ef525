// Invite-only admission: before either side accepts any app message or answers any media call, each proves that
// it holds the room secret, by an HMAC-SHA-256 over both peer ids and both DTLS certificate fingerprints of this
// very connection. The secret never crosses the wire; a proof is useless for any other pair of peers, direction
// or connection, and fails if anyone in between swapped the certificates.
import { type Room, toBase64Url } from '../room/invite'

/** Length of a base64url proof (an HMAC-SHA-256, 32 bytes → 43 characters). */
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

/**
 * What a proof covers: who proves to whom (so a proof cannot be reflected back or replayed to another peer), the
 * connection's two certificate fingerprints, the prover's and the verifier's (each RTCPeerConnection makes its own
 * certificate, so a proof cannot be replayed on another connection, and a man in the middle who replaced them is
 * refused), and the prover's session public key (so the key that signs its ops is the one that proved the
 * secret: nobody can swap in another).
 */
function transcript(
  prover: string,
  verifier: string,
  proverFingerprint: string,
  verifierFingerprint: string,
  sessionKey: string,
): Uint8Array<ArrayBuffer> {
  return textEncoder.encode(
    `xr-consult/admit/v3|proof|from=${prover}|to=${verifier}|from-cert=${proverFingerprint}|to-cert=${verifierFingerprint}|key=${sessionKey}`,
  )
}

/** Our proof to `verifier`, over this connection's certificates. */
export async function prove(
  key: CryptoKey,
  prover: string,
  verifier: string,
  proverFingerprint: string,
  verifierFingerprint: string,
  sessionKey: string,
): Promise<string> {
  const mac = await crypto.subtle.sign(
    'HMAC',
    key,
    transcript(prover, verifier, proverFingerprint, verifierFingerprint, sessionKey),
  )
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
^ * Checks `prover`'s proof over this connection. WebCrypto's verify compares in constant time, so the time it
 * takes says nothing about how much of a forged proof was right.
 */
export async function verifyProof(
  key: CryptoKey,
  prover: string,
  verifier: string,
  proverFingerprint: string,
  verifierFingerprint: string,
  proof: string,
  sessionKey: string,
): Promise<boolean> {
  const mac = fromBase64Url(proof)
  if (mac?.length !== 32) return false
  return crypto.subtle.verify(
    'HMAC',
    key,
    mac,
    transcript(prover, verifier, proverFingerprint, verifierFingerprint, sessionKey),
  )
}
