import { describe, expect, it } from 'vitest'
import { parseMessage } from '../call/protocol'
import { PROTOCOL_VERSION, REJECTION } from './protocol'

const hello = {
  type: 'hello',
  version: PROTOCOL_VERSION,
  name: 'Dr. Ada',
  role: 'clinician',
  seat: 1,
  session: 'b6f1c2d4-session-00000',
  muted: false,
  cameraOff: false,
  credential: { inviteId: 'I'.repeat(22), key: 'K'.repeat(87), sig: 'S'.repeat(86) },
  bind: 'B'.repeat(86),
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
})
