// Who wrote an op, checked rather than believed. Every op is signed by its author's session key over a canonical
// form of everything else it says; the author's key, name and role come from their member op, which is
// self-certifying (its key hashes to its session id) and carries the room's credential for its role. So any
// participant can check any op, whoever relayed it and whether or not its author is still here, and no
// participant can speak for another, claim another's op ids ahead of time, or claim a role its invite does not
// prove. Pure apart from WebCrypto.
import {
  type PresentedCredential,
  type SessionKey,
  SignatureVerifier,
  sessionOf,
  verifyCredential,
} from '../room/credentials'
import type { Role } from '../room/invite'
import type { MemberOp, OpLike } from './protocol'

const textEncoder = new TextEncoder()

/** JSON with every object's keys in sorted order: the same text on every device, whatever built the object. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** What an op's signature covers: everything but the signature, with a purpose prefix. */
function signedText(op: Omit<OpLike, 'sig'> & { sig?: string }): string {
  const { sig: _sig, ...rest } = op
  return `xr-consult/op/v1|${canonicalJson(rest)}`
}

function signedBytes(op: Omit<OpLike, 'sig'> & { sig?: string }): Uint8Array<ArrayBuffer> {
  return textEncoder.encode(signedText(op))
}

/** Signs an op we author. */
export async function signOp<O extends OpLike>(key: SessionKey, op: Omit<O, 'sig'>): Promise<O> {
  return { ...op, sig: await key.sign(signedBytes(op)) } as O
}

/** Our own member op: the first op we publish in a call. */
export function memberOpFor(
  key: SessionKey,
  name: string,
  role: Role,
  credential: PresentedCredential,
  at: number,
): Omit<MemberOp, 'sig'> {
  return {
    kind: 'member',
    id: `${key.session}:0`,
    author: key.session,
    at,
    key: key.publicKey,
    name,
    role,
    credential,
  }
}

export interface Member {
  session: string
  key: string
  name: string
  role: Role
  /** The public key of the invite it joined with: what a ban names besides the session. */
  inviteKey: string
  /** Its invite waits to be let in. */
  waits: boolean
}

/** Why an op was refused. */
export type OpRefusal =
  | 'unknown-author'
  | 'foreign-id'
  | 'bad-signature'
  | 'bad-member'
  | 'not-the-author'
  | 'banned'

/**
 * A participant refused for the rest of the call: `abuse` (dropped for flooding or forging, or asked to leave), or
 * `credential` (its proof claimed a role its invite does not prove). `noticed`: the user was told it came back
 * (once per ban).
 */
export interface Ban {
  reason: 'abuse' | 'credential'
  noticed: boolean
}

export interface AuthorshipOptions {
  /** The room, and the room key we trust: from our own invite. */
  roomId: string
  roomKey: string
}

export class Authorship {
  private readonly members = new Map<string, Member>()
  private readonly verifier = new SignatureVerifier()
  /**
   * Verifications under way, by key, signature and signed text: a newcomer is sent the same history by every
   * participant at once (a relay and each author's own), and a copy that comes on a second link while the first
   * is being checked waits for that check instead of verifying it again (BENCHMARKS.md, op log growth). Only the
   * exact same bytes share a result; an entry goes once its check is done (the op log then knows the op).
   */
  private readonly verifying = new Map<string, Promise<boolean>>()
  /** Invites and sessions refused for the rest of the call; an invite's sessions share its ban. */
  private readonly bannedInvites = new Map<string, Ban>()
  private readonly bannedSessions = new Map<string, Ban>()

  constructor(private readonly options: AuthorshipOptions) {}

  member(session: string): Member | undefined {
    return this.members.get(session)
  }

  get memberCount(): number {
    return this.members.size
  }

  /** A member record we made ourselves (no need to check our own signature). */
  addOwn(op: MemberOp) {
    this.members.set(op.author, {
      session: op.author,
      key: op.key,
      name: op.name,
      role: op.role,
      inviteKey: op.credential.key,
      waits: op.credential.wait,
    })
  }

  /**
   * Refuses `session` and `inviteKey` for the rest of the call. Only ever with an invite key whose credential was
   * verified (or anyone could have someone else's invite banned by naming it), and a session proven by its key.
   */
  ban(session: string | null, inviteKey: string | null, reason: Ban['reason'] = 'abuse'): Ban {
    const ban = (inviteKey ? this.bannedInvites.get(inviteKey) : undefined) ??
      (session ? this.bannedSessions.get(session) : undefined) ?? { reason, noticed: reason === 'credential' }
    if (session) this.bannedSessions.set(session, ban)
    if (inviteKey) this.bannedInvites.set(inviteKey, ban)
    return ban
  }

  /** The ban `session` or `inviteKey` falls under, if any. */
  banOf(session: string | null, inviteKey?: string | null): Ban | null {
    return (
      (session !== null ? this.bannedSessions.get(session) : undefined) ??
      (inviteKey != null ? this.bannedInvites.get(inviteKey) : undefined) ??
      null
    )
  }

  isBanned(session: string | null, inviteKey?: string | null): boolean {
    return this.banOf(session, inviteKey) !== null
  }

  /** Whether `credential` proves `role` in our room, for the session whose public key is `sessionKey`. */
  verifyCredential(role: Role, credential: PresentedCredential, sessionKey: string): Promise<boolean> {
    return verifyCredential(this.options.roomKey, this.options.roomId, role, credential, sessionKey)
  }

  /**
   * Checks an op: its id is its author's, its author is a member whose key signed it (a member op checks itself:
   * key, credential and signature). A checked member op becomes known. Never throws.
   */
  async check(op: OpLike): Promise<OpRefusal | null> {
    if (!op.id.startsWith(`${op.author}:`)) return 'foreign-id'
    if (op.kind === 'member') return this.checkMember(op as MemberOp)
    const member = this.members.get(op.author)
    if (!member) return 'unknown-author'
    if (this.isBanned(member.session, member.inviteKey)) return 'banned'
    return (await this.verifyOnce(member.key, op)) ? null : 'bad-signature'
  }

  private verifyOnce(key: string, op: OpLike): Promise<boolean> {
    const text = signedText(op)
    const id = `${key} ${op.sig} ${text}`
    const under = this.verifying.get(id)
    if (under) return under
    const check = this.verifier
      .verify(key, textEncoder.encode(text), op.sig)
      .finally(() => this.verifying.delete(id))
    this.verifying.set(id, check)
    return check
  }

  private async checkMember(op: MemberOp): Promise<OpRefusal | null> {
    const known = this.members.get(op.author)
    if (known)
      return known.key === op.key && known.name === op.name && known.role === op.role ? null : 'bad-member'
    if (op.id !== `${op.author}:0`) return 'bad-member'
    if (this.isBanned(op.author, op.credential.key)) return 'banned'
    if ((await sessionOf(op.key)) !== op.author) return 'bad-member'
    if (!(await this.verifyCredential(op.role, op.credential, op.key))) return 'bad-member'
    if (!(await this.verifier.verify(op.key, signedBytes(op), op.sig))) return 'bad-signature'
    this.members.set(op.author, {
      session: op.author,
      key: op.key,
      name: op.name,
      role: op.role,
      inviteKey: op.credential.key,
      waits: op.credential.wait,
    })
    return null
  }
}
