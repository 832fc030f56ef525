import { describe, expect, it } from 'vitest'
import { createConsultation } from './credentials'
import {
  createRoom,
  inviteFragment,
  inviteUrl,
  LARGE_ROOM_CAPACITY,
  parseInviteFragment,
  ROLES,
  ROOM_CAPACITY,
  roomCapacity,
  seatPeerId,
} from './invite'

describe('invites', () => {
  it('round-trips every role through a link', async () => {
    const { invites } = await createConsultation()
    for (const role of ROLES) {
      const url = new URL(inviteUrl('http://localhost:8080/', invites[role]))
      expect(url.search).toBe('')
      expect(parseInviteFragment(url.hash)).toEqual({ ok: true, invite: invites[role] })
    }
  })

  it('carries the waiting room with the patient’s invite, and only there', async () => {
    const { invites } = await createConsultation({ waitingRoom: true })
    for (const role of ROLES) {
      const parsed = parseInviteFragment(new URL(inviteUrl('http://localhost:8080/', invites[role])).hash)
      expect(parsed.ok && parsed.invite.credential.wait === true).toBe(role === 'patient')
      expect(parsed).toEqual({ ok: true, invite: invites[role] })
    }
  })

  it('carries the screening questionnaires with the patient’s invite, well-formed ids only', async () => {
    const { invites } = await createConsultation({ screening: ['phq9', 'intake'] })
    expect(invites.patient.screening).toEqual(['phq9', 'intake'])
    expect(invites.clinician.screening).toBeUndefined()
    const parsed = parseInviteFragment(new URL(inviteUrl('http://localhost:8080/', invites.patient)).hash)
    expect(parsed).toEqual({ ok: true, invite: invites.patient })
    const odd = parseInviteFragment(
      `${inviteFragment(invites.clinician)}&screen=phq9,<b>,phq9,${'x'.repeat(40)}`,
    )
    expect(odd.ok && odd.invite.screening).toEqual(['phq9'])
  })

  it('carries a large room in every role’s link, so every joiner uses the same transport and seat count', async () => {
    const { invites } = await createConsultation({ kind: 'large' })
    for (const role of ROLES) {
      const parsed = parseInviteFragment(new URL(inviteUrl('http://localhost:8080/', invites[role])).hash)
      expect(parsed).toEqual({ ok: true, invite: invites[role] })
      expect(parsed.ok && roomCapacity(parsed.invite)).toBe(LARGE_ROOM_CAPACITY)
    }
    const { invites: consultation } = await createConsultation()
    expect(inviteFragment(consultation.clinician)).not.toContain('kind=')
    expect(roomCapacity(consultation.clinician)).toBe(ROOM_CAPACITY)
    // A kind this version does not know reads as a consultation.
    const odd = parseInviteFragment(`${inviteFragment(consultation.clinician)}&kind=stadium`)
    expect(odd.ok && roomCapacity(odd.invite)).toBe(ROOM_CAPACITY)
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
      // A link from before credentials: said to be from an older version.
      good.replace(/&pk=.*$/, ''),
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
