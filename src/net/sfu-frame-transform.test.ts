import { describe, expect, it } from 'vitest'
import { createRoom } from '../room/invite'
import { FRAME_OVERHEAD, VP8_KEY_CLEAR_BYTES } from './sfu-crypto'
import {
  createFrameTransform,
  type EncodedFrame,
  isTransformOptions,
  MediaKeyring,
} from './sfu-frame-transform'
import { deriveSfuRoom } from './sfu-keys'

/** Frames as an encoder makes them: a key frame, then deltas, each with recognisable bytes. */
function videoFrames(count: number): EncodedFrame[] {
  return Array.from({ length: count }, (_, n) => ({
    type: n === 0 ? 'key' : 'delta',
    data: Uint8Array.from({ length: 50 + n }, (_, i) => (n * 31 + i) & 0xff).buffer,
  }))
}

/** Pushes frames through a transform stream, as the browser does between encoder and packetizer. */
async function run(stream: TransformStream<EncodedFrame, EncodedFrame>, frames: EncodedFrame[]) {
  const out: EncodedFrame[] = []
  const done = stream.readable.pipeTo(new WritableStream({ write: (frame) => void out.push(frame) }))
  const writer = stream.writable.getWriter()
  for (const frame of frames) await writer.write(frame)
  await writer.close()
  await done
  return out
}

const bytes = (frame: EncodedFrame | undefined) => new Uint8Array(frame?.data ?? new ArrayBuffer(0))

async function keyringFor(secret = createRoom().secret, roomId = 'room') {
  const { mediaKey, mediaKeyId } = await deriveSfuRoom({ roomId, secret })
  const keyring = new MediaKeyring()
  keyring.set(mediaKeyId, mediaKey)
  keyring.sendWith(mediaKeyId)
  return keyring
}

describe('the frame transform', () => {
  it('encrypts every frame in order and the receiver with the key restores each one', async () => {
    const secret = createRoom().secret
    const send = createFrameTransform(
      { operation: 'encrypt', kind: 'video', id: 's' },
      await keyringFor(secret),
    )
    const receive = createFrameTransform(
      { operation: 'decrypt', kind: 'video', id: 'r' },
      await keyringFor(secret),
    )
    const originals = videoFrames(20).map((frame) => ({ ...frame, data: frame.data.slice(0) }))
    const wire = await run(send.stream, videoFrames(20))
    expect(wire.map(bytes).map((b) => b.length)).toEqual(
      originals.map((f) => f.data.byteLength + FRAME_OVERHEAD),
    )
    // The key frame's VP8 header is in clear on the wire, as Janus needs it.
    expect(bytes(wire[0]).subarray(0, VP8_KEY_CLEAR_BYTES)).toEqual(bytes(originals[0]).subarray(0, 10))
    const received = await run(receive.stream, wire)
    expect(received.map(bytes)).toEqual(originals.map(bytes))
    expect(send.stats).toEqual({ operation: 'encrypt', kind: 'video', passed: 20, dropped: {} })
    expect(receive.stats).toMatchObject({ passed: 20, dropped: {} })
  })

  it('drops every frame at a receiver without the key, and a changed frame at one with it', async () => {
    const secret = createRoom().secret
    const send = createFrameTransform(
      { operation: 'encrypt', kind: 'audio', id: 's' },
      await keyringFor(secret),
    )
    const wire = await run(
      send.stream,
      videoFrames(5).map(({ data }) => ({ data })),
    )
    const outsider = createFrameTransform(
      { operation: 'decrypt', kind: 'audio', id: 'o' },
      await keyringFor(),
    )
    expect(
      await run(
        outsider.stream,
        wire.map((f) => ({ data: f.data.slice(0) })),
      ),
    ).toEqual([])
    expect(outsider.stats.dropped).toEqual({ unauthentic: 5 })

    const member = createFrameTransform(
      { operation: 'decrypt', kind: 'audio', id: 'm' },
      await keyringFor(secret),
    )
    const tampered = wire.map((f, i) => {
      const data = new Uint8Array(f.data.slice(0))
      if (i === 2) data[0] = (data[0] as number) ^ 1 // Opus's TOC byte: in clear, but authenticated
      return { data: data.buffer }
    })
    expect(await run(member.stream, tampered)).toHaveLength(4)
    expect(member.stats).toMatchObject({ passed: 4, dropped: { unauthentic: 1 } })
  })

  it('sends nothing before it has a key, and passes empty frames untouched', async () => {
    const keyring = new MediaKeyring()
    const send = createFrameTransform({ operation: 'encrypt', kind: 'video', id: 's' }, keyring)
    const out = await run(send.stream, [...videoFrames(3), { type: 'empty', data: new ArrayBuffer(0) }])
    expect(out).toEqual([{ type: 'empty', data: new ArrayBuffer(0) }])
    expect(send.stats.dropped).toEqual({ 'no-key': 3 })
    // A receiver that has no key with the frame's id drops the frame for that reason.
    const receive = createFrameTransform({ operation: 'decrypt', kind: 'video', id: 'r' }, keyring)
    const wire = await run(
      createFrameTransform({ operation: 'encrypt', kind: 'video', id: 's2' }, await keyringFor()).stream,
      videoFrames(1),
    )
    expect(await run(receive.stream, wire)).toEqual([])
    expect(receive.stats.dropped).toEqual({ 'unknown-key': 1 })
  })

  it('accepts only well-formed transform options', () => {
    expect(isTransformOptions({ operation: 'encrypt', kind: 'video', id: 'x' })).toBe(true)
    for (const bad of [
      null,
      'x',
      {},
      { operation: 'sign', kind: 'video', id: 'x' },
      { operation: 'decrypt', kind: 'data', id: 'x' },
      { operation: 'decrypt', kind: 'audio' },
    ]) {
      expect(isTransformOptions(bad)).toBe(false)
    }
  })
})
