// Property-based checks of the one path every incoming message takes: whatever arrives, decodeText/parseMessage
// return a typed message or a typed rejection, never throw, never let an invalid message through, and invalid
// input leaves the app's state exactly as it was.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { SpaceFeed } from '../annotations/space'
import { applyMessage, applyOpTo } from '../call/apply-test-kit'
import type { Message, Op } from '../call/protocol'
import { appProtocol, decodeText, encodeMessage, messageSchema, parseMessage } from '../call/protocol'
import { createRoom } from '../room/invite'
import { createCallStore } from '../state/call-store'
import { VitalsFeed } from '../vitals/feed'
import { admissionKey, TOKEN_LENGTH } from './admission'
import { PeerLink } from './peer-link'
import { PROTOCOL_VERSION } from './protocol'
import { OpLog } from './replication'

const role = fc.constantFrom(
  'patient' as const,
  'clinician' as const,
  'specialist' as const,
  'worker' as const,
)
/** A finite number as JSON carries it: no -0, which JSON turns into 0. */
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x))
const token = fc.string({ minLength: TOKEN_LENGTH, maxLength: TOKEN_LENGTH })
/** base64url text of an exact length: keys, signatures, invite ids. */
const b64url = (length: number) =>
  fc
    .array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), {
      minLength: length,
      maxLength: length,
    })
    .map((chars) => chars.join(''))
const session = fc.string({ minLength: 22, maxLength: 22 })
const credential = fc.record({ inviteId: b64url(22), key: b64url(87), sig: b64url(86) })
const chatOp = fc.record({
  kind: fc.constant('chat' as const),
  id: fc.string({ minLength: 1, maxLength: 80 }),
  author: session,
  at: finite,
  name: fc.string({ minLength: 1, maxLength: 64 }),
  role,
  text: fc.string({ minLength: 1, maxLength: 200 }),
  sig: b64url(86),
})

const coordinate = fc.double({ min: -100, max: 100, noNaN: true }).map((x) => (x === 0 ? 0 : x))
const vec3 = fc.tuple(coordinate, coordinate, coordinate)
const unitQuat = fc.constantFrom<[number, number, number, number]>(
  [0, 0, 0, 1],
  [0, Math.SQRT1_2, 0, Math.SQRT1_2],
)
const spaceMessage = fc.oneof(
  fc.record({
    type: fc.constant('laser' as const),
    author: session,
    colour: fc.constantFrom('yellow' as const, 'sky' as const),
    on: fc.boolean(),
    origin: vec3,
    direction: fc.constantFrom<[number, number, number]>([0, 0, -1], [1, 0, 0]),
    at: finite,
  }),
  fc.record({
    type: fc.constant('space' as const),
    sharing: fc.boolean(),
    fovY: fc.double({ min: 0.1, max: 3, noNaN: true }),
  }),
  fc.record({
    type: fc.constant('surfaces-removed' as const),
    ids: fc.array(fc.string({ minLength: 1, maxLength: 80 }), { minLength: 1, maxLength: 5 }),
  }),
  fc.record({
    type: fc.constant('surface' as const),
    surface: fc.record({
      kind: fc.constant('plane' as const),
      id: fc.string({ minLength: 1, maxLength: 80 }),
      label: fc.string({ maxLength: 40 }),
      position: vec3,
      orientation: unitQuat,
      polygon: fc.array(fc.tuple(coordinate, coordinate), { minLength: 3, maxLength: 8 }),
    }),
  }),
)
/** A shared mesh as its JSON text, with typed arrays as base64: what the worker's device sends. */
const meshText = fc
  .tuple(fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 9, maxLength: 60 }), fc.nat())
  .map(([coordinates, seed]) => {
    const vertices = new Float32Array(coordinates.slice(0, coordinates.length - (coordinates.length % 3)))
    const count = vertices.length / 3
    const indices = new Uint16Array(3 * (1 + (seed % 5))).map((_, i) => (seed + i * 7) % count)
    return encodeMessage({
      type: 'surface',
      surface: {
        kind: 'mesh',
        id: 'm',
        label: '',
        position: [0, 0, 0],
        orientation: [0, 0, 0, 1],
        vertices,
        indices,
      },
    })
  })
const mutatedMeshText = fc
  .tuple(meshText, fc.nat(), fc.string({ minLength: 1, maxLength: 3 }))
  .map(([text, at, insert]) => {
    const i = at % (text.length + 1)
    return text.slice(0, i) + insert + text.slice(i + 1)
  })

const validMessage = fc.oneof(
  fc.record({ type: fc.constant('challenge' as const), nonce: token }),
  fc.record({ type: fc.constant('proof' as const), proof: token, key: b64url(87) }),
  fc.record({
    type: fc.constant('hello' as const),
    version: fc.constant(PROTOCOL_VERSION),
    name: fc.string({ minLength: 1, maxLength: 64 }),
    role,
    seat: fc.integer({ min: 0, max: 3 }),
    session,
    muted: fc.boolean(),
    cameraOff: fc.boolean(),
    credential,
    bind: b64url(86),
  }),
  fc.record({ type: fc.constant('media-state' as const), muted: fc.boolean(), cameraOff: fc.boolean() }),
  fc.record({
    type: fc.constantFrom('ping' as const, 'pong' as const),
    sentAt: finite,
  }),
  fc.constant({ type: 'bye' as const }),
  fc.record({ type: fc.constant('ops' as const), items: fc.array(chatOp, { minLength: 1, maxLength: 5 }) }),
  fc.record({
    type: fc.constant('ack' as const),
    ids: fc.array(fc.string({ minLength: 1, maxLength: 80 }), { minLength: 1, maxLength: 5 }),
  }),
  spaceMessage,
)

/** A valid message with one field (or one op's field) replaced by anything at all, or removed. */
const mutatedMessage = fc
  .tuple(validMessage, fc.nat(), fc.anything(), fc.boolean())
  .map(([message, pick, value, remove]) => {
    const copy: Record<string, unknown> = structuredClone(message)
    const target: Record<string, unknown> =
      'items' in copy && pick % 2 === 0 ? ((copy.items as Record<string, unknown>[])[0] ?? copy) : copy
    const keys = Object.keys(target)
    const key = keys[pick % keys.length] as string
    if (remove) delete target[key]
    else target[key] = value
    return copy
  })

/** The JSON text of a valid message, cut, extended or with one character changed. */
const mutatedText = fc
  .tuple(validMessage, fc.nat(), fc.integer({ min: 0, max: 3 }), fc.string({ maxLength: 3 }))
  .map(([message, at, how, insert]) => {
    const text = JSON.stringify(message)
    const i = at % (text.length + 1)
    if (how === 0) return text.slice(0, i)
    if (how === 1) return text.slice(0, i) + insert + text.slice(i)
    if (how === 2) return text.slice(0, i) + insert + text.slice(i + 1)
    return text + insert
  })

describe('parseMessage under arbitrary input', { timeout: 120_000 }, () => {
  it('never throws and accepts exactly what the schema accepts (10,000 arbitrary values)', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const result = parseMessage(input)
        expect(result.ok).toBe(messageSchema.safeParse(input).success)
      }),
      { numRuns: 10_000 },
    )
  })

  it('accepts every valid message unchanged and rejects mutated ones that break the schema (10,000 runs)', () => {
    fc.assert(
      fc.property(validMessage, (message) => {
        expect(parseMessage(message)).toEqual({ ok: true, message })
        expect(decodeText(JSON.stringify(message))).toEqual({ ok: true, message })
      }),
      { numRuns: 2_000 },
    )
    fc.assert(
      fc.property(mutatedMessage, (input) => {
        const result = parseMessage(input)
        if (!messageSchema.safeParse(input).success) expect(result.ok).toBe(false)
        if (!result.ok) expect(typeof result.detail).toBe('string')
      }),
      { numRuns: 10_000 },
    )
  })

  it('decodes text without throwing: arbitrary strings and mutated valid JSON (10,000 each)', () => {
    for (const input of [fc.string({ maxLength: 300 }), mutatedText, mutatedMeshText]) {
      fc.assert(
        fc.property(input, (text) => {
          const result = decodeText(text)
          let value: unknown
          try {
            value = JSON.parse(text)
          } catch {
            expect(result.ok).toBe(false)
            return
          }
          expect(result.ok).toBe(messageSchema.safeParse(value).success)
        }),
        { numRuns: 10_000 },
      )
    }
  })
})

const OWN = 'own-session-0000000000'
const BEN = 'ben-session-0000000000'

describe('state after invalid input', { timeout: 120_000 }, () => {
  const store = createCallStore()
  const log = new OpLog<Op>(OWN, (op) => applyOpTo(store, op))
  const vitals = new VitalsFeed()
  const space = new SpaceFeed()
  let link: PeerLink<Message>
  let clock = 0

  beforeAll(async () => {
    // A participant in the call, admitted and with a hello, holding some chat.
    store.getState().upsertParticipant('xc-b', { seat: 1, name: 'Ben', status: 'connected' })
    log.add({
      kind: 'chat',
      id: `${OWN}:1`,
      author: OWN,
      at: 5,
      name: 'Ada',
      role: 'clinician',
      text: 'hi',
      sig: 'S'.repeat(86),
    })
    const key = await admissionKey(createRoom())
    link = new PeerLink<Message>({
      protocol: appProtocol,
      sessionKey: 'K'.repeat(87),
      key,
      localId: 'xc-a',
      remoteId: 'xc-b',
      hello: () => ({
        type: 'hello',
        version: PROTOCOL_VERSION,
        name: 'Ada',
        role: 'clinician',
        seat: 0,
        session: OWN,
        muted: false,
        cameraOff: false,
        credential: { inviteId: 'I'.repeat(22), key: 'K'.repeat(87), sig: 'S'.repeat(86) },
        bind: 'B'.repeat(86),
      }),
      send: () => undefined,
      onHello: () => undefined,
      onMessage: (message) => {
        applyMessage(
          {
            store,
            log,
            vitals,
            space,
            now: clock,
            peerId: 'xc-b',
            seat: 1,
            session: BEN,
            role: 'worker',
          },
          message,
        )
      },
      onFailure: () => undefined,
      // A second per input: strikes never pile up into a drop, so every input is judged on its own.
      now: () => (clock += 1000),
    })
    Object.assign(link, { admitted: true })
    link.receive(
      JSON.stringify({
        type: 'hello',
        version: PROTOCOL_VERSION,
        name: 'Ben',
        role: 'patient',
        seat: 1,
        session: BEN,
        muted: false,
        cameraOff: false,
        credential: { inviteId: 'I'.repeat(22), key: 'K'.repeat(87), sig: 'S'.repeat(86) },
        bind: 'B'.repeat(86),
      }),
    )
    await new Promise((resolve) => setTimeout(resolve, 0))
  })

  const snapshot = () => {
    const { participants, chat, notices, annotations } = store.getState()
    return structuredClone({
      participants,
      chat,
      notices,
      annotations,
      space: space.get('xc-b') ?? null,
      lasers: [...space.lasers.values()],
      ops: log.all(),
      vitals: vitals.get('xc-b') ?? null,
    })
  }

  it('is deep-equal to the state before (10,000 invalid texts and values)', async () => {
    expect(link.ready).toBe(true)
    const invalid = fc.oneof(
      mutatedText,
      fc.string({ maxLength: 200 }),
      fc.anything(),
      mutatedMessage.map((m) => JSON.stringify(m)),
    )
    let checked = 0
    await fc.assert(
      fc.asyncProperty(invalid, async (input) => {
        if (decodeText(input).ok) return
        const before = snapshot()
        link.receive(input)
        await Promise.resolve()
        expect(snapshot()).toEqual(before)
        expect(link.closed).toBe(false)
        checked++
      }),
      { numRuns: 10_000 },
    )
    expect(checked).toBeGreaterThan(5_000)
  })
})
