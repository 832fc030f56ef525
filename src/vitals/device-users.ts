// Whose reading is it? A home blood-pressure cuff is often shared: it stores readings for several users and says
// in each Blood Pressure Measurement (0x2A35) which user took it (the User ID field, a User Data Service index,
// 255 = unknown user or guest). Only the patient's readings may reach the call, the record and the export, so the
// patient chooses their user number once per device (remembered on this browser), and everything else is held
// back and counted, never shown as the patient's. Pure: the storage is handed in.
//
// The Glucose Measurement characteristic carries no user field: a multi-user glucose meter separates its users
// through the User Data Service (register and consent with a code), which this app does not drive; such a meter
// delivers the records of whichever user it is set to. Heart rate, pulse oximetry and thermometers have no users.

import type { Measurement } from './types'

/**
 * User Index 255: "unknown user" (a guest measurement on a multi-user device). Defined here rather than in
 * gatt.ts, so the call screen's device-user logic does not bring the GATT parsers into every call's download.
 */
export const UNKNOWN_USER = 255

/** At most this many readings wait for the patient to choose their user: a cuff replaying its memory sends many. */
export const MAX_WAITING_READINGS = 50

/** The device user of a reading, as the patient sees it: "user 1", or "a guest (unknown user)" for 255. */
export function userLabel(user: number): string {
  return user === UNKNOWN_USER ? 'a guest (unknown user)' : `user ${user}`
}

const readings = (count: number) => (count === 1 ? '1 reading' : `${count} readings`)

export interface DeviceUsersState {
  /** The patient's user number on this device; null while not chosen. */
  chosen: number | null
  /** User numbers the device has sent readings for, in the order first seen. */
  seen: number[]
  /** Readings of other users (or of a guest) that were left out: neither shown nor recorded. */
  skipped: number
  /** Readings that carry a user number and wait for the patient to choose theirs. */
  waiting: number
}

/**
 * One connection's filter. `take` is handed each mapped reading with the device user it belongs to (undefined:
 * the device has no users, so the reading is the patient's) and returns what may be shared.
 */
export class DeviceUserFilter {
  #chosen: number | null
  readonly #seen: number[] = []
  #skipped = 0
  #waiting: { user: number; measurements: Measurement[] }[] = []

  constructor(chosen: number | null = null) {
    this.#chosen = chosen
  }

  get state(): DeviceUsersState {
    return {
      chosen: this.#chosen,
      seen: [...this.#seen],
      skipped: this.#skipped,
      waiting: this.#waiting.length,
    }
  }

  /** The measurements of one reading that are the patient's (all of them, or none). */
  take(measurements: readonly Measurement[], deviceUser: number | undefined): Measurement[] {
    if (deviceUser === undefined || measurements.length === 0) return [...measurements]
    if (!this.#seen.includes(deviceUser)) this.#seen.push(deviceUser)
    if (this.#chosen === null) {
      this.#waiting.push({ user: deviceUser, measurements: [...measurements] })
      // The oldest goes: the newest reading is the one the patient has just taken.
      if (this.#waiting.length > MAX_WAITING_READINGS) {
        this.#waiting.shift()
        this.#skipped += 1
      }
      return []
    }
    if (deviceUser === this.#chosen) return [...measurements]
    this.#skipped += 1
    return []
  }

  /**
   * The patient says which user they are (null: not chosen any more). Readings of that user that waited are
   * returned to be shared now; those of other users are skipped.
   */
  choose(user: number | null): Measurement[] {
    this.#chosen = user
    if (user === null) return []
    const released: Measurement[] = []
    for (const reading of this.#waiting) {
      if (reading.user === user) released.push(...reading.measurements)
      else this.#skipped += 1
    }
    this.#waiting = []
    return released
  }
}

/** The sentence under the device's name, or null when there is nothing to say. */
export function deviceUsersSentence(state: DeviceUsersState): string | null {
  const parts: string[] = []
  if (state.chosen === null && state.waiting > 0) {
    const users = state.seen.map(userLabel).join(', ')
    parts.push(
      `This device keeps readings for several users (seen: ${users}). Choose your user number to share them; ${readings(state.waiting)} ${state.waiting === 1 ? 'is' : 'are'} waiting.`,
    )
  }
  if (state.skipped > 0)
    parts.push(
      `${readings(state.skipped)} of other users on this device ${state.skipped === 1 ? 'was' : 'were'} skipped (not shown or recorded).`,
    )
  return parts.length ? parts.join(' ') : null
}

/** Where a device's chosen user number is remembered, so the patient chooses it once per device. */
export type UserChoiceStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

/** One key per device: Web Bluetooth's device id (stable per site), else its name. */
export function deviceUserKey(device: { id?: string | null; name?: string | null }): string {
  return `xr-consult/device-user/${device.id || device.name || 'unnamed'}`
}

/** The remembered user number, or null (none, or not a user number). */
export function loadDeviceUser(storage: UserChoiceStorage | undefined, key: string): number | null {
  const text = storage?.getItem(key)
  if (text === null || text === undefined) return null
  const user = Number(text)
  return Number.isInteger(user) && user >= 0 && user <= UNKNOWN_USER ? user : null
}

export function saveDeviceUser(
  storage: UserChoiceStorage | undefined,
  key: string,
  user: number | null,
): void {
  if (!storage) return
  if (user === null) storage.removeItem(key)
  else storage.setItem(key, String(user))
}
