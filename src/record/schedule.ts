// The clinician's booked consultations, kept in this browser's IndexedDB (through Dexie) and nowhere else: the
// server never learns that a consultation is planned. A database of its own beside the call record
// (`xr-consult-record`): a booking holds the consultation's invites (its secret and the invites' keys, so that it
// can be started later with the very links sent out), which the call record deliberately never keeps, and a
// booking is not a record of a call: deleting a call's record leaves the plan of the next one alone.
import Dexie, { type EntityTable } from 'dexie'
import type { ScheduledConsultation } from '../care/schedule'

export const SCHEDULE_DB_NAME = 'xr-consult-schedule'

type ScheduleDb = Dexie & { consultations: EntityTable<ScheduledConsultation, 'id'> }

export interface ScheduleBook {
  add(booking: ScheduledConsultation): Promise<void>
  /** Every booking, soonest first. */
  list(): Promise<ScheduledConsultation[]>
  remove(id: string): Promise<void>
  close(): void
}

/** Opens (creating) the bookings database; pass an IDBFactory for another IndexedDB (fake-indexeddb in tests). */
export function openSchedule(indexedDbFactory?: IDBFactory, keyRange?: typeof IDBKeyRange): ScheduleBook {
  const db = new Dexie(SCHEDULE_DB_NAME, {
    ...(indexedDbFactory ? { indexedDB: indexedDbFactory } : {}),
    ...(keyRange ? { IDBKeyRange: keyRange } : {}),
  }) as ScheduleDb
  // As in record.ts: a schema change adds a version, never edits this one.
  db.version(1).stores({ consultations: 'id, start' })
  return {
    async add(booking) {
      await db.consultations.put(structuredClone(booking))
    },
    list: () => db.consultations.orderBy('start').toArray(),
    async remove(id) {
      await db.consultations.delete(id)
    },
    close: () => db.close(),
  }
}

let shared: ScheduleBook | null = null

/** The page's bookings, opened on first use. */
export function getSchedule(): ScheduleBook {
  shared ??= openSchedule()
  return shared
}
