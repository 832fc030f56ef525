import { describe, expect, it } from 'vitest'
import { createRoom, type Room } from '../room/invite'
import { deriveSfuRoom, KEY_CHECK_BYTES, MAX_SENDER_ID_BYTES, mediaFrameKey, messageKey } from './sfu-keys'

/** Keys are not extractable: two keys are the same key when they encrypt the same bytes with the same IV alike. */
const PROBE_IV = new Uint8Array(12)
const PROBE = new TextEncoder().encode('same key?')
async function fingerprint(key: CryptoKey): Promise<string> {
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: PROBE_IV }, key, PROBE)
  return Buffer.from(sealed).toString('hex')
}

async function summary(room: Room) {
  const derived = await deriveSfuRoom(room)
  return {
    janusRoom: derived.janusRoom,
    pin: derived.pin,
    roomSecret: derived.roomSecret,
    rendezvous: derived.rendezvous,
    media: await fingerprint(derived.mediaKey),
  }
}

describe('SFU room derivation', () => {
  it('gives every holder of the same invite the same room, PIN, rendezvous and media key', async () => {
    const room = createRoom()
    const first = await summary(room)
    expect(await summary({ ...room })).toEqual(first)
    expect(Number.isSafeInteger(first.janusRoom)).toBe(true)
    expect(first.janusRoom).toBeGreaterThan(0)
    expect(first.pin).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(first.roomSecret).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(first.rendezvous).toMatch(/^[0-9a-f]{64}$/)
    // The media key used by deriveSfuRoom is key 0 of mediaFrameKey.
    expect(await fingerprint(await mediaFrameKey(room, 0))).toBe(first.media)
  })

  it('derives independent values: no two outputs agree, within a room or across rooms', async () => {
    const room = createRoom()
    const values = await summary(room)
    // Labels keep the outputs apart: the PIN is not the Janus secret, the media key not key 1.
    expect(values.pin).not.toBe(values.roomSecret)
    expect(await fingerprint(await mediaFrameKey(room, 1))).not.toBe(values.media)
    // Another room, and the same room id with another secret (someone who knows the id but not the invite,
    // such as the Janus operator: the room id and PIN it sees tell it nothing about the secret's other outputs).
    const otherRoom = await summary(createRoom())
    const otherSecret = await summary({ roomId: room.roomId, secret: createRoom().secret })
    const sameSecretOtherId = await summary({ roomId: createRoom().roomId, secret: room.secret })
    for (const other of [otherRoom, otherSecret, sameSecretOtherId]) {
      for (const field of ['janusRoom', 'pin', 'roomSecret', 'rendezvous', 'media'] as const) {
        expect(other[field]).not.toEqual(values[field])
      }
    }
  })

  it('spreads Janus room ids over the safe integers', async () => {
    const ids = await Promise.all(
      Array.from({ length: 64 }, async () => (await deriveSfuRoom(createRoom())).janusRoom),
    )
    expect(new Set(ids).size).toBe(64)
    // 53 bits: half of random ids are above 2^52. With 64 rooms, at least a few land in each half.
    const high = ids.filter((id) => id >= 2 ** 52).length
    expect(high).toBeGreaterThan(8)
    expect(high).toBeLessThan(56)
  })
})

describe('per-sender message keys', () => {
  it('are the same for the same sender and room, and differ between senders, rooms and secrets', async () => {
    const room = createRoom()
    const alice = await messageKey(room, 'session-alice')
    const aliceAgain = await messageKey({ ...room }, 'session-alice')
    expect(await fingerprint(aliceAgain.key)).toBe(await fingerprint(alice.key))
    expect(aliceAgain.check).toEqual(alice.check)
    expect(alice.check).toHaveLength(KEY_CHECK_BYTES)

    const others = [
      await messageKey(room, 'session-bob'),
      await messageKey(room, 'session-alic'),
      await messageKey({ roomId: room.roomId, secret: createRoom().secret }, 'session-alice'),
      await messageKey(createRoom(), 'session-alice'),
    ]
    for (const other of others) {
      expect(await fingerprint(other.key)).not.toBe(await fingerprint(alice.key))
      expect(other.check).not.toEqual(alice.check)
    }
  })

  it('cannot be exported, and refuse an empty or over-long sender id', async () => {
    const room = createRoom()
    const { key } = await messageKey(room, 'a')
    expect(key.extractable).toBe(false)
    expect((await deriveSfuRoom(room)).mediaKey.extractable).toBe(false)
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow()
    await expect(messageKey(room, '')).rejects.toThrow(RangeError)
    await expect(messageKey(room, 'x'.repeat(MAX_SENDER_ID_BYTES + 1))).rejects.toThrow(RangeError)
    await expect(mediaFrameKey(room, 256)).rejects.toThrow(RangeError)
  })
})
