// The gate's byte budget as the link sees it: an author that went over its budget on its own link has its large
// messages dropped unread until the budget has refilled, while its small messages and everyone else's are read.
import { describe, expect, it } from 'vitest'
import type { Op } from '../call/protocol'
import type { ChatOp } from '../chat/wire'
import {
  createConsultation,
  createSessionKey,
  type PresentedCredential,
  presentCredential,
} from '../room/credentials'
import { Authorship, memberOpFor, signOp } from './authorship'
import { ALWAYS_READ_CHARS, AUTHOR_BYTES, OpGate, RESUME_READING_BYTES } from './op-gate'
import type { MemberOp } from './protocol'
import { OpLog } from './replication'

describe('an author over its byte budget', () => {
  it('has its large messages dropped unread until the budget refills, and nothing else', async () => {
    const { invites, room } = await createConsultation()
    const key = await createSessionKey()
    const presented = (await presentCredential(invites.specialist, key.publicKey)) as PresentedCredential
    let now = Date.now()
    const member = await signOp<MemberOp>(key, memberOpFor(key, 'Sam', 'specialist', presented, now))
    const text = 'x'.repeat(1900)
    const chats: Op[] = []
    // A little over the burst: the rest of what a flood sends is beyond the budget.
    const count = Math.ceil(AUTHOR_BYTES.burst / 2000) + 20
    for (let n = 1; n <= count; n++) {
      const chat: Omit<ChatOp, 'sig'> = {
        kind: 'chat',
        id: `${key.session}:${n}`,
        author: key.session,
        at: now,
        name: 'Sam',
        role: 'specialist',
        text,
      }
      chats.push(await signOp<Op>(key, chat as Omit<Op, 'sig'>))
    }
    const authorship = new Authorship({ roomId: room.roomId, roomKey: invites.clinician.roomKey })
    const gate = new OpGate<Op>({ authorship, now: () => now })
    const log = new OpLog<Op>('receiver', () => undefined)
    const big = 100_000

    const first = await gate.admit([member as Op, ...chats.slice(0, 10)], log, key.session)
    expect(first?.held).toHaveLength(11)
    // Within its budget: read.
    expect(gate.dropsUnread(key.session, big)).toBe(false)

    const flood = await gate.admit(chats.slice(10), log, key.session)
    expect(flood?.forged).toBeNull()
    expect((flood?.held.length ?? 0) + 10).toBeLessThan(count)
    // Over it: its ops messages are dropped unread, its pings and hellos still read, and nobody else's dropped.
    expect(gate.dropsUnread(key.session, big)).toBe(true)
    expect(gate.dropsUnread(key.session, ALWAYS_READ_CHARS)).toBe(false)
    expect(gate.dropsUnread('someone else', big)).toBe(false)

    // Read again once the budget holds RESUME_READING_BYTES, not at the first byte of refill.
    now += 1000
    expect(gate.dropsUnread(key.session, big)).toBe(true)
    now += Math.ceil((RESUME_READING_BYTES / AUTHOR_BYTES.perSecond) * 1000)
    expect(gate.dropsUnread(key.session, big)).toBe(false)
  })
})
