// Whose reading is it: the pure filter between a shared device and the call, and the sentence the patient reads.
import { describe, expect, it } from 'vitest'
import {
  DeviceUserFilter,
  deviceUserKey,
  deviceUsersSentence,
  loadDeviceUser,
  MAX_WAITING_READINGS,
  saveDeviceUser,
} from './device-users'
import type { Measurement } from './types'

const bp = (systolic: number): Measurement => ({
  kind: 'blood-pressure',
  systolic,
  diastolic: 80,
  at: systolic,
  source: { kind: 'device', label: 'Cuff' },
  quality: 'ok',
})

describe('DeviceUserFilter', () => {
  it('passes readings that carry no user (a device without users) whatever was chosen', () => {
    const filter = new DeviceUserFilter(3)
    expect(filter.take([bp(120)], undefined)).toEqual([bp(120)])
    expect(filter.state).toEqual({ chosen: 3, seen: [], skipped: 0, waiting: 0 })
  })

  it('shares only the chosen user’s readings and counts the others as skipped', () => {
    const filter = new DeviceUserFilter(1)
    expect(filter.take([bp(120)], 1)).toEqual([bp(120)])
    expect(filter.take([bp(150)], 2)).toEqual([])
    expect(filter.take([bp(130)], 255)).toEqual([])
    expect(filter.state).toEqual({ chosen: 1, seen: [1, 2, 255], skipped: 2, waiting: 0 })
    expect(deviceUsersSentence(filter.state)).toBe(
      '2 readings of other users on this device were skipped (not shown or recorded).',
    )
  })

  it('holds readings until a choice, then releases the chosen user’s and skips the rest', () => {
    const filter = new DeviceUserFilter()
    expect(filter.take([bp(118)], 0)).toEqual([])
    expect(filter.take([bp(151)], 1)).toEqual([])
    expect(deviceUsersSentence(filter.state)).toBe(
      'This device keeps readings for several users (seen: user 0, user 1). Choose your user number to share them; 2 readings are waiting.',
    )
    expect(filter.choose(0)).toEqual([bp(118)])
    expect(filter.state).toEqual({ chosen: 0, seen: [0, 1], skipped: 1, waiting: 0 })
    expect(deviceUsersSentence(filter.state)).toBe(
      '1 reading of other users on this device was skipped (not shown or recorded).',
    )
  })

  it('keeps at most MAX_WAITING_READINGS waiting, the newest', () => {
    const filter = new DeviceUserFilter()
    for (let i = 0; i < MAX_WAITING_READINGS + 5; i++) filter.take([bp(100 + i)], 1)
    expect(filter.state.waiting).toBe(MAX_WAITING_READINGS)
    const released = filter.choose(1)
    expect(released).toHaveLength(MAX_WAITING_READINGS)
    expect(released.at(-1)).toEqual(bp(100 + MAX_WAITING_READINGS + 4))
    expect(filter.state.skipped).toBe(5)
  })

  it('says nothing when there is nothing to say', () => {
    expect(deviceUsersSentence(new DeviceUserFilter().state)).toBeNull()
  })
})

describe('remembered user numbers', () => {
  it('round-trips per device, and ignores what is not a user number', () => {
    const map = new Map<string, string>()
    const storage = {
      getItem: (key: string) => map.get(key) ?? null,
      setItem: (key: string, value: string) => void map.set(key, value),
      removeItem: (key: string) => void map.delete(key),
    }
    const key = deviceUserKey({ id: 'abc', name: 'Cuff' })
    expect(key).toBe('xr-consult/device-user/abc')
    expect(deviceUserKey({ name: 'Cuff' })).toBe('xr-consult/device-user/Cuff')
    expect(loadDeviceUser(storage, key)).toBeNull()
    saveDeviceUser(storage, key, 2)
    expect(loadDeviceUser(storage, key)).toBe(2)
    saveDeviceUser(storage, key, null)
    expect(loadDeviceUser(storage, key)).toBeNull()
    map.set(key, 'x')
    expect(loadDeviceUser(storage, key)).toBeNull()
    map.set(key, '256')
    expect(loadDeviceUser(storage, key)).toBeNull()
    expect(loadDeviceUser(undefined, key)).toBeNull()
  })
})
