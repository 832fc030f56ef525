import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToBase64 } from '../lib/base64'
import { createRoom } from '../room/invite'
import {
  AUDIO_CLEAR_BYTES,
  clearPrefixLength,
  decryptFrame,
  EVERYONE,
  encryptFrame,
  FRAME_OVERHEAD,
  MAX_MESSAGE_PAYLOAD,
  MessageOpener,
  MessageSealer,
  OPEN_REJECTION,
  openSealed,
  REPLAY_WINDOW,
  ReplayGuard,
  sealMessage,
  VP8_DELTA_CLEAR_BYTES,
  VP8_KEY_CLEAR_BYTES,
} from './sfu-crypto'
import { deriveSfuRoom, mediaFrameKey, messageKey } from './sfu-keys'

describe('sealed app messages', () => {
  it('open for the recipient as the sender sent them: text and bytes, to one or to everyone', async () => {
    const room = createRoom()
    const alice = new MessageSealer(room, 'alice-session')
    const bob = new MessageOpener({ ...room }, 'bob-session')

    const text = await bob.open(await alice.seal(EVERYONE, 'Blood pressure 120/80 — ok ✓'))
    expect(text).toEqual({
      ok: true,
      from: 'alice-session',
      to: '*',
      seq: 0,
      payload: 'Blood pressure 120/80 — ok ✓',
    })

    const bytes = new Uint8Array([0xf8, 1, 2, 3, 255])
    const binary = await bob.open((await alice.seal('bob-session', bytes)).buffer)
    expect(binary.ok && new Uint8Array(binary.payload as ArrayBuffer)).toEqual(bytes)
    expect(binary.ok && binary.seq).toBe(1)

    // Base64 text for channels that carry only text; the empty payload; the largest payload.
    expect(await bob.open(await alice.sealText(EVERYONE, ''))).toMatchObject({ ok: true, payload: '' })
    const large = new Uint8Array(MAX_MESSAGE_PAYLOAD).fill(7)
    const opened = await bob.open(await alice.seal(EVERYONE, large))
    expect(opened.ok && (opened.payload as ArrayBuffer).byteLength).toBe(MAX_MESSAGE_PAYLOAD)
    await expect(alice.seal(EVERYONE, new Uint8Array(MAX_MESSAGE_PAYLOAD + 1))).rejects.toThrow(RangeError)
  })

  it('refuse a wrong key: another secret for the same room id, or another room', async () => {
    const room = createRoom()
    const outsider = new MessageSealer({ roomId: room.roomId, secret: createRoom().secret }, 'alice-session')
    const bob = new MessageOpener(room, 'bob-session')
    expect(await bob.open(await outsider.seal(EVERYONE, 'hi'))).toEqual({ ok: false, reason: 'wrong-key' })
    const otherRoom = new MessageOpener(createRoom(), 'bob-session')
    expect(await otherRoom.open(await new MessageSealer(room, 'a').seal(EVERYONE, 'hi'))).toEqual({
      ok: false,
      reason: OPEN_REJECTION.wrongKey,
    })
  })

  it('refuse any changed bit as tampered (or malformed, where the header no longer parses)', async () => {
    const room = createRoom()
    const alice = new MessageSealer(room, 'alice-session')
    const sealed = await alice.seal(EVERYONE, 'take 5 mg')
    for (let i = 0; i < sealed.length; i++) {
      const changed = sealed.slice()
      changed[i] = (changed[i] as number) ^ 0x01
      const result = await new MessageOpener(room, 'bob-session').open(changed)
      expect(result.ok, `bit flipped in byte ${i}`).toBe(false)
    }
    // The sender id is bound: the same bytes relabelled as another sender (same length) are refused.
    const relabelled = sealed.slice()
    relabelled.set(new TextEncoder().encode('mallory-sessi'), 13)
    expect((await new MessageOpener(room, 'bob-session').open(relabelled)).ok).toBe(false)
    // A bit of the ciphertext: the key's check still matches, so this is tampering, not a wrong key.
    const body = sealed.slice()
    body[body.length - 20] = (body[body.length - 20] as number) ^ 0x80
    expect(await new MessageOpener(room, 'bob-session').open(body)).toEqual({ ok: false, reason: 'tampered' })
  })

  it('refuse a message sealed for someone else', async () => {
    const room = createRoom()
    const sealed = await new MessageSealer(room, 'alice-session').seal('carol-session', 'for Carol')
    expect(await new MessageOpener(room, 'bob-session').open(sealed)).toEqual({
      ok: false,
      reason: 'not-for-us',
    })
    expect((await new MessageOpener(room, 'carol-session').open(sealed)).ok).toBe(true)
  })

  it('refuse a replayed sequence number, but take messages out of order within the window', async () => {
    const room = createRoom()
    const alice = new MessageSealer(room, 'alice-session')
    const bob = new MessageOpener(room, 'bob-session')
    const messages = []
    for (let i = 0; i < 5; i++) messages.push(await alice.seal(EVERYONE, `m${i}`))
    expect((await bob.open(messages[2])).ok).toBe(true)
    expect((await bob.open(messages[0])).ok).toBe(true)
    expect(await bob.open(messages[2])).toEqual({ ok: false, reason: 'replayed' })
    expect(await bob.open(messages[0])).toEqual({ ok: false, reason: 'replayed' })
    expect((await bob.open(messages[1])).ok).toBe(true)
    // Another receiver has its own window.
    expect((await new MessageOpener(room, 'carol-session').open(messages[2])).ok).toBe(true)
  })

  it('refuse what is too old to tell, and let no forgery move a window', async () => {
    const guard = new ReplayGuard()
    guard.record('a', REPLAY_WINDOW + 10)
    expect(guard.fresh('a', 10)).toBe(false)
    expect(guard.fresh('a', 11)).toBe(true)
    expect(guard.fresh('b', 10)).toBe(true)

    // A forged message with a huge sequence number fails authentication and records nothing.
    const room = createRoom()
    const key = await messageKey(room, 'alice-session')
    const forged = await sealMessage(
      await messageKey({ roomId: room.roomId, secret: createRoom().secret }, 'alice-session'),
      { from: 'alice-session', to: EVERYONE, seq: 0xffff_ffff },
      'x',
    )
    forged.set(key.check, 9) // pretend to have the right key
    const replay = new ReplayGuard()
    expect(await openSealed(forged, async () => key, 'bob', replay)).toEqual({
      ok: false,
      reason: 'tampered',
    })
    const real = await sealMessage(key, { from: 'alice-session', to: EVERYONE, seq: 0 }, 'y')
    expect((await openSealed(real, async () => key, 'bob', replay)).ok).toBe(true)
  })

  it('never throws on any input, and calls anything that is not a sealed message malformed', async () => {
    const room = createRoom()
    const bob = new MessageOpener(room, 'bob-session')
    for (const input of [
      undefined,
      null,
      42,
      {},
      [],
      'not base64!',
      '',
      new ArrayBuffer(0),
      new Uint8Array(40),
    ]) {
      expect(await bob.open(input)).toEqual({ ok: false, reason: 'malformed' })
    }
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        const result = await bob.open(bytes)
        expect(result.ok).toBe(false)
      }),
      { numRuns: 200 },
    )
    // A sealed message cut anywhere.
    const sealed = await new MessageSealer(room, 'alice-session').seal(EVERYONE, 'hello')
    for (let length = 0; length < sealed.length; length++) {
      expect((await bob.open(sealed.subarray(0, length))).ok).toBe(false)
    }
    expect(await bob.open(bytesToBase64(sealed))).toMatchObject({ ok: true, payload: 'hello' })
  })
})

/** An encoded frame's bytes: recognisable content, so a test can see what stayed in clear. */
function frame(length: number): ArrayBuffer {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff).buffer
}

describe('media frames', () => {
  it('keep VP8’s and Opus’s header bytes in clear and round-trip the rest', async () => {
    const { mediaKey, mediaKeyId } = await deriveSfuRoom(createRoom())
    const keys = (id: number) => (id === mediaKeyId ? mediaKey : undefined)
    expect(clearPrefixLength('video', 'key')).toBe(VP8_KEY_CLEAR_BYTES)
    expect(clearPrefixLength('video', 'delta')).toBe(VP8_DELTA_CLEAR_BYTES)
    expect(clearPrefixLength('audio')).toBe(AUDIO_CLEAR_BYTES)
    // Audio frames carry no type in some browsers and 'key' in others: the kind decides.
    expect(clearPrefixLength('audio', 'key')).toBe(AUDIO_CLEAR_BYTES)
    for (const [kind, type] of [
      ['video', 'key'],
      ['video', 'delta'],
      ['audio', undefined],
    ] as const) {
      const clear = clearPrefixLength(kind, type)
      // From shorter than the clear prefix (everything stays in clear, still authenticated) to a large key frame.
      for (const length of [0, 1, 2, 3, 9, 10, 11, 160, 40_000]) {
        const original = new Uint8Array(frame(length))
        const encrypted = new Uint8Array(await encryptFrame(mediaKey, mediaKeyId, original.buffer, clear))
        expect(encrypted.length).toBe(length + FRAME_OVERHEAD)
        const kept = Math.min(clear, length)
        expect(encrypted.subarray(0, kept)).toEqual(original.subarray(0, kept))
        if (length > kept + 4) {
          // The rest is not in clear: AES-GCM output does not match the input.
          expect(encrypted.subarray(kept, length)).not.toEqual(original.subarray(kept, length))
        }
        const decrypted = await decryptFrame(keys, encrypted.buffer, clear)
        expect(decrypted.ok && new Uint8Array(decrypted.data)).toEqual(original)
      }
    }
  })

  it('reject a frame with any bit changed, including the clear prefix and the key id', async () => {
    const { mediaKey, mediaKeyId } = await deriveSfuRoom(createRoom())
    const keys = () => mediaKey
    const encrypted = new Uint8Array(await encryptFrame(mediaKey, mediaKeyId, frame(64), VP8_KEY_CLEAR_BYTES))
    for (let i = 0; i < encrypted.length; i++) {
      const changed = encrypted.slice()
      changed[i] = (changed[i] as number) ^ 0x04
      expect(await decryptFrame(keys, changed.buffer, VP8_KEY_CLEAR_BYTES), `byte ${i}`).toEqual({
        ok: false,
        reason: 'unauthentic',
      })
    }
  })

  it('reject a frame under a wrong key, an unknown key id, or too short to be encrypted', async () => {
    const room = createRoom()
    const { mediaKey } = await deriveSfuRoom(room)
    const wrong = await mediaFrameKey({ roomId: room.roomId, secret: createRoom().secret })
    const encrypted = await encryptFrame(mediaKey, 0, frame(500), VP8_DELTA_CLEAR_BYTES)
    expect(await decryptFrame(() => wrong, encrypted, VP8_DELTA_CLEAR_BYTES)).toEqual({
      ok: false,
      reason: 'unauthentic',
    })
    expect(await decryptFrame(() => undefined, encrypted, VP8_DELTA_CLEAR_BYTES)).toEqual({
      ok: false,
      reason: 'unknown-key',
    })
    // An unencrypted frame (a sender without E2EE) is dropped, whether short or long.
    expect(await decryptFrame(() => mediaKey, frame(FRAME_OVERHEAD - 1), 3)).toEqual({
      ok: false,
      reason: 'too-short',
    })
    expect(await decryptFrame(() => mediaKey, frame(1200), 3)).toEqual({ ok: false, reason: 'unauthentic' })
    // Decrypted with the other frame type's clear length (a receiver that misread the type): refused, not garbled.
    expect((await decryptFrame(() => mediaKey, encrypted, VP8_KEY_CLEAR_BYTES)).ok).toBe(false)
  })

  it('uses a fresh IV per frame: the same frame twice encrypts differently', async () => {
    const { mediaKey } = await deriveSfuRoom(createRoom())
    const a = new Uint8Array(await encryptFrame(mediaKey, 0, frame(100), 3))
    const b = new Uint8Array(await encryptFrame(mediaKey, 0, frame(100), 3))
    expect(a).not.toEqual(b)
  })
})
