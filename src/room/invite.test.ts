import { describe, expect, it } from 'vitest'
import { createConsultation } from './credentials'
import { createRoom, inviteFragment, inviteUrl, parseInviteFragment, ROLES, seatPeerId } from './invite'

describe('invites', () => {
  it('round-trips every role through a link', async () => {
    const { invites } = await createConsultation()
    for (const role of ROLES) {
      const url = new URL(inviteUrl('http://localhost:8080/', invites[role]))
      expect(url.search).toBe('')
      expect(parseInviteFragment(url.hash)).toEqual({ ok: true, invite: invites[role] })
    }
  })

  it('creates rooms that do not repeat', () => {
    const ids = new Set(Array.from({ length: 200 }, () => createRoom().roomId))
    expect(ids.size).toBe(200)
  })

  it('explains a malformed invite in a sentence', async () => {
    const { invites } = await createConsultation()
    const room = invites.patient
    const good = inviteFragment(room)
    const cases = [
      '',
      good.replace(room.secret, room.secret.slice(0, 10)),
      good.replace(room.roomId, 'room!'),
      good.replace('role=patient', 'role=admin'),
      good.replace(/&key=[^&]*/, ''),
      good.replace(/&sig=[^&]*/, '&sig=short'),
      good.replace(/&pk=[^&]*/, ''),
      // A link from before credentials, or before invite keys: said to be from an older version.
      good.replace(/&pk=.*$/, ''),
      good.replace(/&ik=[^&]*&is=[^&]*/, ''),
      good.replace(/&is=[^&]*/, '&is=short'),
    ]
    for (const hash of cases) {
      const result = parseInviteFragment(hash)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.reason).toMatch(/^[A-Z].+\.$/)
    }
  })

  it('derives seat ids from the secret, so a wrong key means other ids', async () => {
    const room = createRoom()
    const other = { ...room, secret: createRoom().secret }
    const a = await seatPeerId(room, 0)
    expect(a).toMatch(/^xc-[0-9a-f]{32}$/)
    expect(await seatPeerId(room, 0)).toBe(a)
    expect(await seatPeerId(room, 1)).not.toBe(a)
    expect(await seatPeerId(other, 0)).not.toBe(a)
  })
})
