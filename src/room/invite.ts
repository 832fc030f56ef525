// Rooms and invites. A room is a random id plus a random secret; an invite link carries both, the participant's
// role, the room's public key and the credential that proves the role (./credentials.ts), all in the URL
// fragment, which browsers never send to a server. Plain TypeScript, no DOM.

export const ROLES = ['patient', 'clinician', 'specialist', 'worker'] as const
export type Role = (typeof ROLES)[number]

export const ROLE_LABELS: Record<Role, string> = {
  patient: 'Patient',
  clinician: 'Clinician',
  specialist: 'Remote specialist',
  worker: 'On-site worker',
}

/** Participants per room. A full mesh sends every stream to every peer; 4 is what a phone uplink carries. */
export const ROOM_CAPACITY = 4
/**
 * Participants in a large room. Its media goes through a Janus SFU (src/net/janus-transport.ts): each participant
 * sends one stream up and receives the others', so the uplink no longer bounds the room; 30 is a class or a case
 * conference, and the seats' publisher ids fit one VideoRoom.
 */
export const LARGE_ROOM_CAPACITY = 30

/**
 * What carries a room: `consultation` is the full mesh over the PeerServer (needs nothing but `npm start`),
 * `large` goes through a Janus server (JANUS_URLS). The invite says which, so everyone uses the same.
 */
export const ROOM_KINDS = ['consultation', 'large'] as const
export type RoomKind = (typeof ROOM_KINDS)[number]

/** How many seats a room of this invite has. */
export function roomCapacity(invite: { kind?: RoomKind }): number {
  return invite.kind === 'large' ? LARGE_ROOM_CAPACITY : ROOM_CAPACITY
}

/** 128 bits: a room id nobody can guess or enumerate. */
const ROOM_ID_BYTES = 16
/** 256 bits: the secret that proves an invite, never sent to the server. */
const SECRET_BYTES = 32

export interface Room {
  roomId: string
  secret: string
  /**
   * Absent: a consultation (links from before large rooms read the same). Not signed: a link whose kind was
   * changed only sends its holder to a room nobody else is in.
   */
  kind?: RoomKind
}

export interface Invite extends Room {
  role: Role
  /** The room's public key (base64url, raw P-256): what the others' credentials are checked against. */
  roomKey: string
  /** Proves `role`: the invite's key pair and the room key's signature over the room, the role and its public key. */
  credential: { key: string; secret: string; sig: string; wait?: boolean }
  /**
   * The screening questionnaires the clinician asks this participant to answer before the call, by id (see
   * src/care/questionnaires.ts). Not signed: it is the clinician's request to the link's own holder, who can
   * always leave a questionnaire unanswered anyway; the clinician sees what was answered, never more.
   */
  screening?: string[]
}

/** Most questionnaires one invitation asks for, and the form of their ids. */
export const MAX_SCREENING = 5
const SCREENING_ID = /^[a-z0-9-]{1,32}$/

/** As ./credentials.ts: lengths of the base64url texts an invite carries. */
const PUBLIC_KEY_LENGTH = 87
const SIGNATURE_LENGTH = 86
const PRIVATE_KEY_LENGTH = 43

export type InviteParse = { ok: true; invite: Invite } | { ok: false; reason: string }

export function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function randomToken(byteCount: number): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(byteCount)))
}

export function createRoom(kind: RoomKind = 'consultation'): Room {
  return {
    roomId: randomToken(ROOM_ID_BYTES),
    secret: randomToken(SECRET_BYTES),
    ...(kind === 'large' ? { kind } : {}),
  }
}

/** Length of the base64url text for n bytes, unpadded. */
const base64UrlLength = (bytes: number) => Math.ceil((bytes * 4) / 3)
const BASE64URL = /^[A-Za-z0-9_-]+$/

/** The fragment of an invite link: `#room=…&role=…&key=…&pk=…&inv=…&ik=…&sig=…` (`&kind=large` for a large room). */
export function inviteFragment({
  roomId,
  secret,
  role,
  roomKey,
  credential,
  screening,
  kind,
}: Invite): string {
  const wait = credential.wait ? '&wait=1' : ''
  const screen = screening?.length ? `&screen=${screening.join(',')}` : ''
  const large = kind === 'large' ? '&kind=large' : ''
  return `#room=${roomId}&role=${role}&key=${secret}&pk=${roomKey}&inv=${credential.key}&ik=${credential.secret}&sig=${credential.sig}${wait}${screen}${large}`
}

export function inviteUrl(base: string, invite: Invite): string {
  const url = new URL(base)
  url.hash = ''
  return `${url.href.replace(/#$/, '')}${inviteFragment(invite)}`
}

/** Reads an invite from a URL fragment. Never throws: a malformed invite yields a sentence for the user. */
export function parseInviteFragment(hash: string): InviteParse {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  const roomId = params.get('room')
  const secret = params.get('key')
  const role = params.get('role')
  if (roomId === null && secret === null) {
    return {
      ok: false,
      reason: 'This link has no invite in it. Ask for a new invite link, or start a consultation.',
    }
  }
  if (roomId === null || roomId.length !== base64UrlLength(ROOM_ID_BYTES) || !BASE64URL.test(roomId)) {
    return {
      ok: false,
      reason: 'This invite link is damaged (the room part is wrong). Ask for the link again.',
    }
  }
  if (secret === null || secret.length !== base64UrlLength(SECRET_BYTES) || !BASE64URL.test(secret)) {
    return {
      ok: false,
      reason: 'This invite link is damaged (the key part is wrong). Ask for the link again.',
    }
  }
  if (role === null || !(ROLES as readonly string[]).includes(role)) {
    return { ok: false, reason: 'This invite link does not say who it is for. Ask for the link again.' }
  }
  const roomKey = params.get('pk')
  const inviteKey = params.get('inv')
  const inviteSecret = params.get('ik')
  const sig = params.get('sig')
  if (roomKey === null && inviteKey === null && sig === null) {
    return {
      ok: false,
      reason: 'This invite link is from an older version of XR Consult. Ask the host for a new link.',
    }
  }
  if (
    roomKey?.length !== PUBLIC_KEY_LENGTH ||
    !BASE64URL.test(roomKey) ||
    inviteKey?.length !== PUBLIC_KEY_LENGTH ||
    !BASE64URL.test(inviteKey) ||
    inviteSecret?.length !== PRIVATE_KEY_LENGTH ||
    !BASE64URL.test(inviteSecret) ||
    sig?.length !== SIGNATURE_LENGTH ||
    !BASE64URL.test(sig)
  ) {
    return {
      ok: false,
      reason: 'This invite link is damaged (the credential part is wrong). Ask for the link again.',
    }
  }
  return {
    ok: true,
    invite: {
      roomId,
      secret,
      role: role as Role,
      roomKey,
      credential: {
        key: inviteKey,
        secret: inviteSecret,
        sig,
        // Signed with the rest: a link whose flag was removed carries a credential nobody accepts.
        ...(params.get('wait') === '1' ? { wait: true } : {}),
      },
      ...screeningOf(params.get('screen')),
      // Any other kind (a link from a newer version) reads as a consultation, the room every version has.
      ...(params.get('kind') === 'large' ? { kind: 'large' as const } : {}),
    },
  }
}

/** The questionnaire ids a link asks for: well-formed ones only, each once, at most MAX_SCREENING. */
function screeningOf(text: string | null): { screening?: string[] } {
  const ids = [...new Set((text ?? '').split(',').filter((id) => SCREENING_ID.test(id)))].slice(
    0,
    MAX_SCREENING,
  )
  return ids.length ? { screening: ids } : {}
}

const textEncoder = new TextEncoder()

/**
 * The PeerServer id of the participant in seat `slot` of a room. Derived from the room id *and* the secret, so
 * that nobody without the invite can compute, guess or dial the ids of a room (discovery is off on the server).
 * Seats are what make a room findable without a server-side room list: a newcomer takes the first free seat (the
 * PeerServer refuses taken ids) and dials the others.
 */
export async function seatPeerId({ roomId, secret }: Room, slot: number): Promise<string> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    textEncoder.encode(`xr-consult/seat/v1|${roomId}|${secret}|${slot}`),
  )
  // 128 bits of the digest are plenty for an id and keep PeerServer URLs short.
  const hex = Array.from(new Uint8Array(digest).slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')
  return `xc-${hex}`
}
