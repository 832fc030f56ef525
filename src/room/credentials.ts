// Who may speak as which role, and who wrote what. Three kinds of ECDSA P-256 keys (WebCrypto, in every current
// browser and in Node), all plain and pure:
// - the room key: made by whoever starts a consultation. It signs one credential per invite (the room, the role,
//   a random invite id and the invite's public key); every invite carries its credential and the room's public
//   key, and every participant checks the others' credentials against the public key in its own invite. A role
//   is what a credential proves, never what a peer says.
// - an invite key: one per invite, its private half only in that invite's link. A credential is shown to every
//   participant (in hellos and member records), so on its own it could be replayed by any of them; each join
//   therefore binds its session key with the invite key, and a credential only counts together with a binding to
//   the session presenting it. Whoever does not hold the link cannot make one.
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

/** A credential: this invite (whose public key is `key`) may speak as `role` in this room. */
export interface Credential {
  inviteId: string
  /** The invite key's public half (base64url, raw P-256): what a session binding is checked against. */
  key: string
  sig: string
}

/** The private half of an invite key, base64url: the scalar `d` (32 bytes, 43 characters). */
export const INVITE_SECRET_KEY_LENGTH = 43

function credentialText(roomId: string, role: Role, inviteId: string, key: string): Uint8Array<ArrayBuffer> {
  return textEncoder.encode(
    `xr-consult/credential/v2|room=${roomId}|role=${role}|invite=${inviteId}|key=${key}`,
  )
}

/** What an invite key signs to bind a session: the room and the session's public key. */
function bindingText(roomId: string, sessionKey: string): Uint8Array<ArrayBuffer> {
  return textEncoder.encode(`xr-consult/bind/v1|room=${roomId}|session=${sessionKey}`)
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

/**
 * A fresh invite for `role`: a random id and an invite key pair; the room key signs the room, the role, the id and
 * the invite's public key. The private half (`inviteSecretKey`) goes into that invite's link and nowhere else.
 */
export async function issueCredential(
  authority: RoomAuthority,
  roomId: string,
  role: Role,
): Promise<{ credential: Credential; inviteSecretKey: string }> {
  const inviteId = toBase64Url(crypto.getRandomValues(new Uint8Array(INVITE_ID_BYTES)))
  const pair = await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])
  const key = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)))
  const { d } = await crypto.subtle.exportKey('jwk', pair.privateKey)
  const sig = await crypto.subtle.sign(
    SIGN,
    authority.privateKey,
    credentialText(roomId, role, inviteId, key),
  )
  return { credential: { inviteId, key, sig: toBase64Url(new Uint8Array(sig)) }, inviteSecretKey: d ?? '' }
}

/**
 * Binds a session to an invite: the invite key's signature over the room and the session's public key. Sent with
 * the credential (hello, member record); only the holder of the link can make it.
 */
export async function bindSession(
  invite: { roomId: string; credential: Credential; inviteSecretKey: string },
  sessionKey: string,
): Promise<string> {
  const raw = fromBase64Url(invite.credential.key)
  if (raw?.length !== 65) throw new Error('This invite has no valid invite key.')
  const jwk: JsonWebKey = {
    kty: 'EC',
    crv: 'P-256',
    x: toBase64Url(raw.slice(1, 33)),
    y: toBase64Url(raw.slice(33, 65)),
    d: invite.inviteSecretKey,
  }
  const privateKey = await crypto.subtle.importKey('jwk', jwk, EC, false, ['sign'])
  const sig = await crypto.subtle.sign(SIGN, privateKey, bindingText(invite.roomId, sessionKey))
  return toBase64Url(new Uint8Array(sig))
}

/**
 * Whether `credential` proves `role` in `roomId` for the session whose public key is `sessionKey`: the room key
 * we trust (the one in our own invite) signed the credential, and the credential's invite key signed `binding`
 * for that session. A credential copied from someone else's hello has no binding to the copier's session.
 */
export async function verifyCredential(
  roomKey: string,
  roomId: string,
  role: Role,
  credential: Credential,
  sessionKey: string,
  binding: string,
): Promise<boolean> {
  if (!(ROLES as readonly string[]).includes(role)) return false
  const [room, invite] = await Promise.all([importPublicKey(roomKey), importPublicKey(credential.key)])
  const sig = fromBase64Url(credential.sig)
  const bound = fromBase64Url(binding)
  if (!room || !invite || sig?.length !== 64 || bound?.length !== 64) return false
  if (credential.inviteId.length !== INVITE_ID_LENGTH) return false
  const [issued, ofSession] = await Promise.all([
    crypto.subtle
      .verify(SIGN, room, sig, credentialText(roomId, role, credential.inviteId, credential.key))
      .catch(() => false),
    crypto.subtle.verify(SIGN, invite, bound, bindingText(roomId, sessionKey)).catch(() => false),
  ])
  return issued && ofSession
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
          ...(await issueCredential(authority, room.roomId, role)),
        },
      ],
    ),
  )
  return { room, authority, invites: Object.fromEntries(entries) as Record<Role, Invite> }
}
