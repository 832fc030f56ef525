// Authorship's promise, checked on random histories: a room with three honest participants and an insider
// (a real invite, a real session key) who forges. Every kind of forgery the issue found, or that the scheme must
// stop, is mixed with the honest ops: wrong signatures, ids with someone else's prefix (the "pre-sent ids"), an op
// naming another member as its author, member records claiming a role the credential does not prove or carrying
// another room's credential, chat naming someone else, a date far from now. Each receiver gets them in random
// order, with duplicates and relays, over several links (the insider's link carries its forgeries and honest ops
// it relays), through the mesh's own gate (./op-gate) and the chat channel's own check. Every receiver must end
// with exactly the honest ops: none missing, none forged, none replaced by a forgery that took its id first; and
// no honest link is ever refused.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Op } from '../call/protocol'
import { createChatChannel } from '../chat/channel'
import type { ChatOp } from '../chat/wire'
import {
  createConsultation,
  createSessionKey,
  type PresentedCredential,
  presentCredential,
  type SessionKey,
} from '../room/credentials'
import type { Invite, Role } from '../room/invite'
import { Authorship, memberOpFor, signOp } from './authorship'
import { OpGate } from './op-gate'
import type { MemberOp } from './protocol'
import { OpLog } from './replication'

interface Person {
  name: string
  role: Role
  key: SessionKey
  member: MemberOp
}

/** The honest ops (member records and chat of everyone, the insider's own included) and the forgeries. */
interface World {
  roomId: string
  roomKey: string
  people: Person[]
  honest: Op[]
  forged: Op[]
}

async function person(invite: Invite, name: string, role: Role = invite.role): Promise<Person> {
  const key = await createSessionKey()
  const presented = (await presentCredential(invite, key.publicKey)) as PresentedCredential
  const member = await signOp<MemberOp>(key, memberOpFor(key, name, role, presented, Date.now()))
  return { name, role, key, member }
}

function chatOf(p: Person, n: number, text: string, at = Date.now()): Omit<ChatOp, 'sig'> {
  return {
    kind: 'chat',
    id: `${p.key.session}:${n}`,
    author: p.key.session,
    at,
    name: p.name,
    role: p.role,
    text,
  }
}

async function makeWorld(): Promise<World> {
  const { invites, room } = await createConsultation()
  const elsewhere = (await createConsultation()).invites
  const ada = await person(invites.clinician, 'Dr. Ada')
  const pat = await person(invites.patient, 'Pat Patient')
  const sam = await person(invites.specialist, 'Sam Specialist')
  const mallory = await person(invites.worker, 'Mallory')
  const people = [ada, pat, sam, mallory]
  const honest: Op[] = people.map((p) => p.member as Op)
  for (const p of [ada, pat, sam]) {
    for (let n = 1; n <= 4; n++) honest.push(await signOp<Op>(p.key, chatOf(p, n, `${p.name} says ${n}`)))
  }
  // The insider's own, honestly signed: authorship is about who wrote it, not whether we like them.
  honest.push(await signOp<Op>(mallory.key, chatOf(mallory, 1, 'hello from the site')))

  const patChat = honest.find((op) => op.id === `${pat.key.session}:1`) as Op
  const sign = (op: Omit<ChatOp, 'sig'> | Omit<MemberOp, 'sig'>) =>
    signOp<Op>(mallory.key, op as Omit<Op, 'sig'>)
  const now = Date.now()
  const forged: Op[] = [
    // Pat's real message, altered: its signature no longer matches (same id as the real one).
    { ...patChat, text: 'give 10 mg morphine now' } as Op,
    // Pat's next ids, claimed ahead of time under Mallory's own author: a foreign id prefix.
    ...(await Promise.all(
      [2, 3, 5].map((n) => sign({ ...chatOf(mallory, n, 'pre-sent'), id: `${pat.key.session}:${n}` })),
    )),
    // Pat named as the author, signed by Mallory's key.
    { ...(await sign(chatOf(pat, 6, 'I am fine, stop the call'))), author: pat.key.session } as Op,
    await sign({ ...chatOf(pat, 7, 'FORGED-AS-PATIENT') }),
    // Chat signed by Mallory as Mallory, but naming the patient (and their role).
    await sign({ ...chatOf(mallory, 2, 'as the patient'), name: 'Pat Patient', role: 'patient' }),
    await sign({ ...chatOf(mallory, 3, 'as a clinician'), role: 'clinician' }),
    // A date no formatter holds, and one two days off: signed, so only the date refuses them.
    await sign(chatOf(mallory, 4, 'far future', 1e300)),
    await sign(chatOf(mallory, 5, 'day after tomorrow', Date.now() + 2 * 86_400_000)),
    // Member records: the worker's credential claiming the clinician role; another room's credential; Pat's
    // credential (seen in Pat's hello) replayed for Mallory's session, with Pat's binding (of Pat's session) or
    // one Mallory made with her own invite key; a record naming Pat's session with Mallory's key; Pat's own
    // record with another name (signature broken).
    (await person(invites.worker, 'Dr. Victim', 'clinician')).member as Op,
    (await person(elsewhere.worker, 'Mallory Again')).member as Op,
    await sign(memberOpFor(mallory.key, 'Pat Patient', 'patient', pat.member.credential, now)),
    await sign(
      memberOpFor(
        mallory.key,
        'Pat Patient',
        'patient',
        {
          ...pat.member.credential,
          bind: ((await presentCredential(invites.worker, mallory.key.publicKey)) as PresentedCredential)
            .bind,
        },
        now,
      ),
    ),
    {
      ...(await sign(memberOpFor(mallory.key, 'Pat Patient', 'patient', pat.member.credential, now))),
      id: `${pat.key.session}:0`,
      author: pat.key.session,
    } as Op,
    { ...pat.member, name: 'Dr. Victim' } as Op,
    // An op with no real signature at all.
    { ...chatOf(sam, 9, 'unsigned'), sig: 'A'.repeat(86) } as Op,
  ]
  return { roomId: room.roomId, roomKey: invites.clinician.roomKey, people, honest, forged }
}

/** One delivery: a batch of ops on one link (0-2: honest participants; 3: the insider). */
const deliveryArb = fc.record({ link: fc.nat(3), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) })
const historyArb = fc.array(deliveryArb, { minLength: 1, maxLength: 30 })

const sortedById = (ops: readonly Op[]) => [...ops].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

describe('op gate: honest participants converge on exactly the honest ops', () => {
  let world: World
  beforeAll(async () => {
    world = await makeWorld()
  })

  /** One receiver's history: returns what its log holds, and whether an honest link was ever refused. */
  async function receive(history: Array<{ link: number; picks: number[] }>) {
    const { honest, forged, people } = world
    const authorship = new Authorship({ roomId: world.roomId, roomKey: world.roomKey })
    const chat = createChatChannel({
      self: () => ({ session: 'receiver', name: 'Receiver', role: 'clinician' }),
      publish: () => undefined,
      nextOpId: () => '',
      show: () => undefined,
    })
    const gate = new OpGate<Op>({
      authorship,
      validateOp: (op, author) => op.kind !== 'chat' || chat.validate(op, author),
    })
    const log = new OpLog<Op>('receiver', () => undefined)
    const links = people.map((p) => ({
      session: p.key.session,
      pending: [] as Op[],
      refused: null as string | null,
    }))
    // The insider's link carries its forgeries and honest ops it relays; honest links only honest ops.
    const insiderStock = [...honest, ...forged]
    const deliver = async (index: number, ops: Op[]) => {
      const link = links[index]
      if (!link || link.refused) return
      const admitted = await gate.admit([...link.pending, ...ops], log, link.session)
      if (!admitted) return
      if (admitted.forged) link.refused = admitted.forged
      else link.pending = admitted.waiting
    }
    for (const { link, picks } of history) {
      const stock = link === 3 ? insiderStock : honest
      await deliver(
        link,
        picks.map((pick) => stock[pick % stock.length] as Op),
      )
    }
    // Then each honest participant's snapshot, as a link (re)opening sends it: every op it holds, in the order
    // it learnt them (its own member record first).
    for (const index of [0, 1, 2]) await deliver(index, [...honest])
    return {
      held: log.all(),
      refusedHonest: links.slice(0, 3).flatMap((l) => (l.refused ? [l.refused] : [])),
      refusedInsider: links[3]?.refused ?? null,
    }
  }

  it('in any order, with duplicates and relays, 2 or 3 receivers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(historyArb, { minLength: 2, maxLength: 3 }), async (histories) => {
        for (const history of histories) {
          const { held, refusedHonest } = await receive(history)
          expect(refusedHonest, JSON.stringify(history)).toEqual([])
          expect(sortedById(held)).toEqual(sortedById(world.honest))
        }
      }),
      { numRuns: 100 },
    )
  }, 120_000)

  it('refuses each forgery once its author is known, and ends the link that sent it', async () => {
    const { honest, forged } = world
    for (const [i, op] of forged.entries()) {
      const { held, refusedInsider } = await receive([
        { link: 0, picks: honest.map((_, index) => index) },
        // The forgery, then an honest op relayed after it: the link is refused at the forgery.
        { link: 3, picks: [honest.length + i, honest.length - 1] },
      ])
      // An op whose id we already hold is taken as a copy (ids are applied once) and never looked at again: it
      // changes nothing, so it need not end the link. Every other forgery does.
      if (!honest.some((known) => known.id === op.id)) expect(refusedInsider, op.id).not.toBeNull()
      expect(sortedById(held)).toEqual(sortedById(honest))
    }
  })
})
