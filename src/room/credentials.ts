// Who may speak as which role, and who wrote what. Two kinds of ECDSA P-256 keys (WebCrypto, in every current
// browser and in Node), both plain and pure:
// - the room key: made by whoever starts a consultation. It signs one credential per invite (the room, the role,
//   a random invite id); every invite carries its credential and the room's public key, and every participant
//   checks the others' credentials against the public key in its own invite. A role is what a credential proves,
//   never what a peer says.
// - a session key: made by each participant when joining. The session id is a hash of its public key, so the key
//   that signs an op is the author the op names (self-certifying: a relayed op can be checked by anyone, even when
//   its author has left). The key is announced inside the admission proof (HMAC-bound, so it cannot be swapped).
import { createRoom, type Invite, ROLES, type Role, type Room, toBase64Url } from './invite'

const textEncoder = new TextEncoder()
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const

/** A P-256 public key, uncompressed (65 bytes), as base64url: 87 characters. */
export const PUBLIC_KEY_LENGTH = 87
/** An ECDSA P-256 signature in WebCrypto's fixed r‖s form (64 bytes), as base64url: 86 characters. */
export const SIGNATURE_LENGTH = 86
/** 128 random bits name an invite: enough never to repeat. */
const INVITE_ID_BYTES = 16
export const INVITE_ID_LENGTH = 22
/** A session id: the first 128 bits of the SHA-256 of the session's public key, base64url: 22 characters. */
export const SESSION_ID_LENGTH = 22

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
    return Uint8Array.from(binary, (char) => char.charCodeAt(0))
  } catch {
    return null
  }
}

/** A credential: this invite may speak as `role` in this room. */
export interface Credential {
  inviteId: string
  sig: string
}

function credentialText(roomId: string, role: Role, inviteId: string): Uint8Array<ArrayBuffer> {
  return textEncoder.encode(`xr-consult/credential/v1|room=${roomId}|role=${role}|invite=${inviteId}`)
}

async function importPublicKey(raw: string): Promise<CryptoKey | null> {
  const bytes = fromBase64Url(raw)
  if (bytes?.length !== 65) return null
  return crypto.subtle.importKey('raw', bytes, EC, false, ['verify']).catch(() => null)
}

/** The room's signing key: kept by whoever started the consultation, to issue invites. */
export interface RoomAuthority {
  /** base64url raw public key: what every invite carries. */
  roomKey: string
  privateKey: CryptoKey
}

export async function createRoomAuthority(): Promise<RoomAuthority> {
  const pair = await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  return { roomKey: toBase64Url(raw), privateKey: pair.privateKey }
}

/** The authority as JSON, to keep it on the starter's device (IndexedDB or localStorage) for later invites. */
export async function exportRoomAuthority(authority: RoomAuthority): Promise<string> {
  return JSON.stringify({
    roomKey: authority.roomKey,
    jwk: await crypto.subtle.exportKey('jwk', authority.privateKey),
  })
}

export async function importRoomAuthority(text: string): Promise<RoomAuthority | null> {
  try {
    const { roomKey, jwk } = JSON.parse(text) as { roomKey: string; jwk: JsonWebKey }
    const privateKey = await crypto.subtle.importKey('jwk', jwk, EC, true, ['sign'])
    return { roomKey, privateKey }
  } catch {
    return null
  }
}

/** A fresh invite for `role`: a random id, signed by the room key together with the room and the role. */
export async function issueCredential(
  authority: RoomAuthority,
  roomId: string,
  role: Role,
): Promise<Credential> {
  const inviteId = toBase64Url(crypto.getRandomValues(new Uint8Array(INVITE_ID_BYTES)))
  const sig = await crypto.subtle.sign(SIGN, authority.privateKey, credentialText(roomId, role, inviteId))
  return { inviteId, sig: toBase64Url(new Uint8Array(sig)) }
}

/** Whether `credential` proves `role` in `roomId`, by the room key we trust (the one in our own invite). */
export async function verifyCredential(
  roomKey: string,
  roomId: string,
  role: Role,
  credential: Credential,
): Promise<boolean> {
  if (!(ROLES as readonly string[]).includes(role)) return false
  const key = await importPublicKey(roomKey)
  const sig = fromBase64Url(credential.sig)
  if (!key || sig?.length !== 64 || credential.inviteId.length !== INVITE_ID_LENGTH) return false
  return crypto.subtle
    .verify(SIGN, key, sig, credentialText(roomId, role, credential.inviteId))
    .catch(() => false)
}

/** One participant's signing key for one join. */
export interface SessionKey {
  /** The session id: derived from the public key. */
  session: string
  /** base64url raw public key, announced in the admission proof and in the member op. */
  publicKey: string
  sign: (data: Uint8Array<ArrayBuffer>) => Promise<string>
}

/** The session id a public key stands for, or null if it is not a P-256 public key's encoding. */
export async function sessionOf(publicKey: string): Promise<string | null> {
  const bytes = fromBase64Url(publicKey)
  if (bytes?.length !== 65) return null
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return toBase64Url(digest.slice(0, 16))
}

export async function createSessionKey(): Promise<SessionKey> {
  const pair = await crypto.subtle.generateKey(EC, false, ['sign', 'verify'])
  const publicKey = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)))
  const session = (await sessionOf(publicKey)) as string
  return {
    session,
    publicKey,
    sign: async (data) => toBase64Url(new Uint8Array(await crypto.subtle.sign(SIGN, pair.privateKey, data))),
  }
}

/**
 * Checks signatures by session keys, importing each key once. A key is only ever used for the session it hashes
 * to, so a cache by key text is a cache by session.
 */
export class SignatureVerifier {
  private readonly keys = new Map<string, Promise<CryptoKey | null>>()

  async verify(publicKey: string, data: Uint8Array<ArrayBuffer>, signature: string): Promise<boolean> {
    let key = this.keys.get(publicKey)
    if (!key) {
      key = importPublicKey(publicKey)
      this.keys.set(publicKey, key)
    }
    const sig = fromBase64Url(signature)
    const imported = await key
    if (!imported || sig?.length !== 64) return false
    return crypto.subtle.verify(SIGN, imported, sig, data).catch(() => false)
  }

  forget(publicKey: string) {
    this.keys.delete(publicKey)
  }
}

/** A new consultation: the room, its authority, and one invite per role. */
export async function createConsultation(): Promise<{
  room: Room
  authority: RoomAuthority
  invites: Record<Role, Invite>
}> {
  const room = createRoom()
  const authority = await createRoomAuthority()
  const entries = await Promise.all(
    ROLES.map(
      async (role): Promise<[Role, Invite]> => [
        role,
        {
          ...room,
          role,
          roomKey: authority.roomKey,
          credential: await issueCredential(authority, room.roomId, role),
        },
      ],
    ),
  )
  return { room, authority, invites: Object.fromEntries(entries) as Record<Role, Invite> }
}
