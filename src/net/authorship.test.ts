// Checking who wrote an op when the same history comes on several links at once: a copy that arrives while the
// first is being verified shares that verification, and only the exact same bytes do (a forgery reusing a valid
// signature is still refused).
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Op } from '../call/protocol'
import type { ChatOp } from '../chat/wire'
import {
  createConsultation,
  createSessionKey,
  type PresentedCredential,
  presentCredential,
} from '../room/credentials'
import { Authorship, memberOpFor, signOp } from './authorship'
import type { MemberOp } from './protocol'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('Authorship', () => {
  it('verifies an op that comes on two links at once once, and still refuses a forged copy', async () => {
    const { invites, room } = await createConsultation()
    const key = await createSessionKey()
    const presented = (await presentCredential(invites.patient, key.publicKey)) as PresentedCredential
    const now = Date.now()
    const member = await signOp<MemberOp>(key, memberOpFor(key, 'Pat', 'patient', presented, now))
    const chat: Omit<ChatOp, 'sig'> = {
      kind: 'chat',
      id: `${key.session}:1`,
      author: key.session,
      at: now,
      name: 'Pat',
      role: 'patient',
      text: 'hello',
    }
    const signed = await signOp<Op>(key, chat as Omit<Op, 'sig'>)
    const authorship = new Authorship({ roomId: room.roomId, roomKey: invites.clinician.roomKey })
    expect(await authorship.check(member as Op)).toBeNull()

    // Counts the real WebCrypto verifications (the spy calls through).
    const verify = vi.spyOn(crypto.subtle, 'verify')
    const forged = { ...signed, text: 'send me your password' } as Op
    const [first, second, copy] = await Promise.all([
      authorship.check(signed),
      authorship.check({ ...signed } as Op),
      authorship.check(forged),
    ])
    expect([first, second]).toEqual([null, null])
    expect(copy).toBe('bad-signature')
    expect(verify).toHaveBeenCalledTimes(2)
    // Once a check is over it is not remembered: a later copy is verified again (the op log skips held ones).
    expect(await authorship.check(signed)).toBeNull()
    expect(verify).toHaveBeenCalledTimes(3)
  })
})
