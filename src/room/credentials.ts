// Who may speak as which role, and who wrote what. Two kinds of ECDSA P-256 keys (WebCrypto, in every current
// browser and in Node), both plain and pure:
// - the room key: made by whoever starts a consultation. It signs one credential per invite: the room, the role and
//   the invite's own public key. The invite link carries that credential, the invite's private key and the room's
//   public key. A participant presents the credential with a signature, by the invite's key, over its session key
//   (proof of possession): so a credential seen on the wire cannot be reused by anyone else, and a role is what a
//   credential proves, never what a peer says. Every participant checks the others' against the public key in its
//   own invite.
// - a session key: made by each participant when joining. The session id is a hash of its public key, so the key
//   that signs an op is the author the op names (self-certifying: a relayed op can be checked by anyone, even when
//   its author has left). The key is announced inside the admission proof (HMAC-bound, so it cannot be swapped).
import { createRoom, type Invite, ROLES, type Role, type Room, type RoomKind, toBase64Url } from './invite'

const textEncoder = new TextEncoder()
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const

/** A P-256 public key, uncompressed (65 bytes), as base64url: 87 characters. */
export const PUBLIC_KEY_LENGTH = 87
/** An ECDSA P-256 signature in WebCrypto's fixed r‖s form (64 bytes), as base64url: 86 characters. */
export const SIGNATURE_LENGTH = 86
/** An invite's private key: the P-256 scalar (32 bytes), as base64url: 43 characters. */
export const PRIVATE_KEY_LENGTH = 43
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

/** What an invite link holds to prove its role: the invite's key pair, and the room key's signature over it. */
export interface InviteCredential {
  /** The invite's public key (base64url, raw P-256): what names this invite, in a ban for instance. */
  key: string
  /** The invite's private key (base64url P-256 scalar): never sent anywhere, it stays in the link. */
  secret: string
  /** The room key's signature over the room, the role, `key` and `wait`. */
  sig: string
  /** This invite's holder waits in the waiting room until the clinician lets them in. */
  wait?: boolean
}

/** A credential as presented to the others: the invite's public key and room signature, and the proof of possession. */
export interface PresentedCredential {
  key: string
  sig: string
  /** Whether its holder waits to be let in (signed with the rest: a holder cannot drop it). */
  wait: boolean
  /** The invite key's signature over the room, the role and the presenter's session key. */
  bind: string
}

function credentialText(
  roomId: string,
  role: Role,
  inviteKey: string,
  wait: boolean,
): Uint8Array<ArrayBuffer> {
  return textEncoder.encode(
    `xr-consult/credential/v2|room=${roomId}|role=${role}|invite=${inviteKey}|wait=${wait ? 1 : 0}`,
  )
}

function bindText(roomId: string, role: Role, sessionKey: string): Uint8Array<ArrayBuffer> {
  return textEncoder.encode(`xr-consult/bind/v1|room=${roomId}|role=${role}|session=${sessionKey}`)
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

/** A fresh invite for `role`: its own key pair, whose public key the room key signs with the room and the role. */
export async function issueCredential(
  authority: RoomAuthority,
  roomId: string,
  role: Role,
  { wait = false }: { wait?: boolean } = {},
): Promise<InviteCredential> {
  const pair = await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])
  const key = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)))
  const { d } = await crypto.subtle.exportKey('jwk', pair.privateKey)
  const sig = await crypto.subtle.sign(SIGN, authority.privateKey, credentialText(roomId, role, key, wait))
  return { key, secret: d ?? '', sig: toBase64Url(new Uint8Array(sig)), ...(wait ? { wait } : {}) }
}

/** The invite's private key, back from the link's text (the scalar, with the public point it belongs to). */
async function importInviteKey(credential: InviteCredential): Promise<CryptoKey | null> {
  const point = fromBase64Url(credential.key)
  if (point?.length !== 65) return null
  const jwk: JsonWebKey = {
    kty: 'EC',
    crv: 'P-256',
    x: toBase64Url(point.slice(1, 33)),
    y: toBase64Url(point.slice(33, 65)),
    d: credential.secret,
  }
  return crypto.subtle.importKey('jwk', jwk, EC, false, ['sign']).catch(() => null)
}

/**
 * Presents an invite's credential for one session: the proof of possession binds it to that session's key, so
 * whoever sees it cannot present it for theirs. Null when the invite's key cannot be read (a damaged link).
 */
export async function presentCredential(
  invite: { roomId: string; role: Role; credential: InviteCredential },
  sessionKey: string,
): Promise<PresentedCredential | null> {
  const key = await importInviteKey(invite.credential)
  if (!key) return null
  const bind = await crypto.subtle.sign(SIGN, key, bindText(invite.roomId, invite.role, sessionKey))
  return {
    key: invite.credential.key,
    sig: invite.credential.sig,
    wait: invite.credential.wait === true,
    bind: toBase64Url(new Uint8Array(bind)),
  }
}

/**
 * Whether `credential` proves `role` in `roomId` for the session whose public key is `sessionKey`: the room key we
 * trust (the one in our own invite) signed the invite's key with this room and role, and the invite's key signed
 * this session key.
 */
export async function verifyCredential(
  roomKey: string,
  roomId: string,
  role: Role,
  credential: PresentedCredential,
  sessionKey: string,
): Promise<boolean> {
  if (!(ROLES as readonly string[]).includes(role)) return false
  const [room, invite] = await Promise.all([importPublicKey(roomKey), importPublicKey(credential.key)])
  const sig = fromBase64Url(credential.sig)
  const bind = fromBase64Url(credential.bind)
  if (!room || !invite || sig?.length !== 64 || bind?.length !== 64) return false
  const [signed, bound] = await Promise.all([
    crypto.subtle
      .verify(SIGN, room, sig, credentialText(roomId, role, credential.key, credential.wait))
      .catch(() => false),
    crypto.subtle.verify(SIGN, invite, bind, bindText(roomId, role, sessionKey)).catch(() => false),
  ])
  return signed && bound
}

/**
 * Whether the others can accept this invite at all, checked as they will check it (the room key's signature over
 * the room, the role, the invite's key and its waiting flag; the link's private key proving that invite key) on
 * the link's own page before joining: a link edited by hand or mangled on its way is then told in a sentence at
 * once, instead of waiting for answers that never come while the others turn it away.
 */
export async function inviteHoldsTogether(invite: Invite): Promise<boolean> {
  const session = await createSessionKey()
  const presented = await presentCredential(invite, session.publicKey)
  if (!presented) return false
  return verifyCredential(invite.roomKey, invite.roomId, invite.role, presented, session.publicKey)
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

/**
 * A new consultation: the room, its authority, and one invite per role. With a waiting room, the patient's invite
 * waits to be let in by the clinician.
 */
export async function createConsultation({
  waitingRoom = false,
  screening = [],
  kind = 'consultation',
}: {
  waitingRoom?: boolean
  /** A consultation (the mesh) or a large room (through Janus). */
  kind?: RoomKind
  /** The questionnaires the patient is asked to answer before the call (ids of src/care/questionnaires.ts). */
  screening?: readonly string[]
} = {}): Promise<{
  room: Room
  authority: RoomAuthority
  invites: Record<Role, Invite>
}> {
  const room = createRoom(kind)
  const authority = await createRoomAuthority()
  const entries = await Promise.all(
    ROLES.map(
      async (role): Promise<[Role, Invite]> => [
        role,
        {
          ...room,
          role,
          roomKey: authority.roomKey,
          credential: await issueCredential(authority, room.roomId, role, {
            wait: waitingRoom && role === 'patient',
          }),
          ...(role === 'patient' && screening.length ? { screening: [...screening] } : {}),
        },
      ],
    ),
  )
  return { room, authority, invites: Object.fromEntries(entries) as Record<Role, Invite> }
}
