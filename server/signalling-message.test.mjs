// @ts-check
import { describe, expect, it } from 'vitest'
import { checkClientMessage, MAX_PEER_ID_LENGTH } from './signalling-message.mjs'

const text = (/** @type {unknown} */ value) => Buffer.from(JSON.stringify(value))

describe('client messages to the PeerServer', () => {
  it('accepts what a PeerJS client sends', () => {
    const dst = 'a'.repeat(32)
    const accepted = [
      { type: 'HEARTBEAT' },
      {
        type: 'OFFER',
        dst,
        payload: { sdp: { type: 'offer', sdp: 'v=0' }, type: 'data', connectionId: 'dc_1' },
      },
      { type: 'ANSWER', dst, payload: { sdp: { type: 'answer', sdp: 'v=0' } } },
      { type: 'CANDIDATE', dst, payload: { candidate: { candidate: '' }, type: 'media' } },
      { type: 'LEAVE', dst },
      { type: 'LEAVE' },
    ]
    for (const message of accepted) expect(checkClientMessage(text(message), false)).toEqual({ ok: true })
  })

  it('refuses frames that are not JSON objects, without throwing', () => {
    for (const raw of [
      'hello',
      '',
      '{',
      'null',
      '[]',
      '[{"type":"HEARTBEAT"}]',
      '"HEARTBEAT"',
      '42',
      'true',
    ]) {
      expect(checkClientMessage(Buffer.from(raw), false).ok).toBe(false)
    }
    expect(checkClientMessage(Buffer.from([0xff, 0xfe, 0xfd]), false).ok).toBe(false)
  })

  it('refuses binary frames, even with JSON inside', () => {
    expect(checkClientMessage(text({ type: 'HEARTBEAT' }), true)).toEqual({
      ok: false,
      reason: 'binary frame',
    })
  })

  it('refuses types only the server sends, and unknown types', () => {
    for (const type of ['EXPIRE', 'OPEN', 'ERROR', 'ID-TAKEN', 'heartbeat', '', undefined, 1, null]) {
      expect(checkClientMessage(text({ type, dst: 'b' }), false)).toEqual({
        ok: false,
        reason: 'unknown type',
      })
    }
  })

  it('refuses a relayed message without a destination, or with one that is not a short string', () => {
    expect(checkClientMessage(text({ type: 'OFFER', payload: {} }), false)).toEqual({
      ok: false,
      reason: 'no dst',
    })
    for (const dst of ['', 'x'.repeat(MAX_PEER_ID_LENGTH + 1), 42, null, {}, ['a']]) {
      expect(checkClientMessage(text({ type: 'CANDIDATE', dst, payload: {} }), false)).toEqual({
        ok: false,
        reason: 'bad dst',
      })
    }
    expect(checkClientMessage(text({ type: 'OFFER', dst: 'x'.repeat(MAX_PEER_ID_LENGTH) }), false).ok).toBe(
      true,
    )
  })

  it('refuses a payload that is not an object', () => {
    for (const payload of ['sdp', 1, null, [], true]) {
      expect(checkClientMessage(text({ type: 'OFFER', dst: 'b', payload }), false)).toEqual({
        ok: false,
        reason: 'payload not an object',
      })
    }
  })
})
