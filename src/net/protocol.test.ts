import { describe, expect, it } from 'vitest'
import { parseMessage } from '../call/protocol'
import { MAX_OPS_PER_MESSAGE, PROTOCOL_VERSION, REJECTION } from './protocol'

const hello = {
  type: 'hello',
  version: PROTOCOL_VERSION,
  name: 'Dr. Ada',
  role: 'clinician',
  seat: 1,
  session: 'b6f1c2d4-session-00000',
  muted: false,
  cameraOff: false,
}

describe('parseMessage', () => {
  it('accepts every well-formed message', () => {
    for (const message of [
      hello,
      { type: 'ping', sentAt: 1 },
      { type: 'pong', sentAt: 2 },
      { type: 'bye' },
    ]) {
      expect(parseMessage(message)).toEqual({ ok: true, message })
    }
    expect(parseMessage({ type: 'media-state', muted: true, cameraOff: false }).ok).toBe(true)
  })

  it('rejects with a typed reason and never throws', () => {
    expect(parseMessage('hello')).toMatchObject({ ok: false, reason: REJECTION.notAnObject })
    expect(parseMessage(null)).toMatchObject({ ok: false, reason: REJECTION.notAnObject })
    expect(parseMessage([hello])).toMatchObject({ ok: false, reason: REJECTION.notAnObject })
    expect(parseMessage({ type: 'rm -rf' })).toMatchObject({ ok: false, reason: REJECTION.unknownType })
    expect(parseMessage({ type: '__proto__' })).toMatchObject({ ok: false, reason: REJECTION.unknownType })
    expect(parseMessage({ ...hello, role: 'admin' })).toMatchObject({
      ok: false,
      reason: REJECTION.invalidFields,
    })
    expect(parseMessage({ ...hello, name: 'x'.repeat(65) })).toMatchObject({
      reason: REJECTION.invalidFields,
    })
    expect(parseMessage({ ...hello, name: '' })).toMatchObject({ reason: REJECTION.invalidFields })
    expect(parseMessage({ ...hello, seat: -1 })).toMatchObject({ reason: REJECTION.invalidFields })
  })

  it('takes an ops message of up to MAX_OPS_PER_MESSAGE ops, and no more', () => {
    const chat = (n: number) => ({
      kind: 'chat',
      id: `b6f1c2d4-session-00000:${n}`,
      author: 'b6f1c2d4-session-00000',
      at: 1_765_000_000_000,
      name: 'A',
      role: 'clinician',
      text: 'a',
      sig: 's'.repeat(86),
    })
    const items = Array.from({ length: MAX_OPS_PER_MESSAGE + 1 }, (_, i) => chat(i + 1))
    const full = { type: 'ops', items: items.slice(0, MAX_OPS_PER_MESSAGE) }
    // A full message of the shortest chats still fits the message's characters: the two bounds meet there.
    expect(JSON.stringify(full).length).toBeLessThan(120_000)
    expect(parseMessage(full).ok).toBe(true)
    expect(parseMessage({ type: 'ops', items })).toMatchObject({ reason: REJECTION.invalidFields })
  })
})
