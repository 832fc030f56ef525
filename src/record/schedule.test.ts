// The bookings database: kept in this browser, soonest first, whole (with the invites the call is started with).
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import type { ScheduledConsultation } from '../care/schedule'
import { createConsultation } from '../room/credentials'
import { openSchedule } from './schedule'

describe('the bookings database', () => {
  it('keeps bookings with their invites, lists them soonest first, and removes one', async () => {
    const book = openSchedule(new IDBFactory(), IDBKeyRange)
    const { invites } = await createConsultation({ waitingRoom: true })
    const booking = (id: string, start: number): ScheduledConsultation => ({
      id,
      start,
      durationMinutes: 30,
      timeZone: 'Europe/Rome',
      createdAt: 1,
      invites,
    })
    await book.add(booking('later', Date.UTC(2030, 1, 2)))
    await book.add(booking('sooner', Date.UTC(2030, 1, 1)))
    const listed = await book.list()
    expect(listed.map((b) => b.id)).toEqual(['sooner', 'later'])
    expect(listed[0]?.invites.patient).toEqual(invites.patient)
    expect(listed[0]?.invites.patient.credential.wait).toBe(true)
    await book.remove('sooner')
    expect((await book.list()).map((b) => b.id)).toEqual(['later'])
    book.close()
  })
})
