// The screening channel's rules: only the patient authors answers and consent, under their own name; a response
// must answer its questionnaire as FHIR defines it; the newest consent counts; what a receiver refuses leaves its
// state exactly as it was.
import { describe, expect, it } from 'vitest'
import type { Role } from '../room/invite'
import { phq9Answers } from './phq9-test-kit'
import type { Answers } from './questionnaire'
import { type ConsentOp, consentOpSchema, type ScreeningOp, screeningOpSchema } from './screening'
import { createScreeningChannel } from './screening-channel'

const SESSION = 'PPPPPPPPPPPPPPPPPPPPPP'
const phq9 = (score: number): Answers => phq9Answers(score)

/** A channel for `role`, whose published ops are collected. */
function channelFor(role: Role, name = 'Pat Patient') {
  const published: Array<ScreeningOp | ConsentOp> = []
  let n = 0
  const channel = createScreeningChannel({
    self: () => ({ session: SESSION, name, role }),
    publish: (op) => published.push(op),
    nextOpId: () => `${SESSION}:${++n}`,
    now: () => Date.UTC(2027, 4, 3, 10, 0) + n * 1000,
  })
  return { channel, published }
}

describe('the screening channel', () => {
  it('sends the patient’s completed answers as a response the receiver accepts and scores', () => {
    const { channel, published } = channelFor('patient')
    expect(channel.sendScreening('phq9', {})).toMatch(/marked as needed/)
    expect(channel.sendScreening('phq9', phq9(2))).toBeNull()
    const [op] = published
    if (op?.kind !== 'screening') throw new Error('no screening op')
    // What goes on the wire parses with the protocol's schema.
    expect(screeningOpSchema.safeParse(JSON.parse(JSON.stringify(op))).success).toBe(true)
    const receiver = channelFor('clinician', 'Dr. Care').channel
    expect(receiver.validate(op, { name: 'Pat Patient', role: 'patient' })).toBe(true)
    receiver.applyOp(op)
    const [kept] = receiver.latestScreenings()
    expect(kept?.response.item[0]?.item?.find((i) => i.linkId === '44261-6')?.answer).toEqual([
      { valueInteger: 18 },
    ])
  })

  it('refuses answers from anyone but the patient, under another name, or that do not answer the questionnaire', () => {
    const { channel, published } = channelFor('patient')
    channel.sendScreening('phq9', phq9(1))
    channel.sendConsent('agreed')
    const [screening, consent] = published
    if (screening?.kind !== 'screening' || !consent) throw new Error('ops missing')
    const receiver = channelFor('clinician', 'Dr. Care').channel
    for (const role of ['clinician', 'specialist', 'worker'] as const) {
      expect(receiver.validate(screening, { name: 'Pat Patient', role })).toBe(false)
      expect(receiver.validate(consent, { name: 'Pat Patient', role })).toBe(false)
    }
    expect(receiver.validate(consent, { name: 'Someone Else', role: 'patient' })).toBe(false)
    const forged = structuredClone(screening)
    const score = forged.response.item[0]?.item?.find((i) => i.linkId === '44261-6')
    if (score) score.answer = [{ valueInteger: 0 }]
    expect(receiver.validate(forged, { name: 'Pat Patient', role: 'patient' })).toBe(false)
    const other = { ...structuredClone(screening), questionnaire: 'intake' as const }
    expect(receiver.validate(other, { name: 'Pat Patient', role: 'patient' })).toBe(false)
    // Refused ops are never applied: the receiver holds nothing.
    expect(receiver.latestScreenings()).toEqual([])
    expect(receiver.consent()).toBeUndefined()
  })

  it('counts the newest consent, and only the patient can give one', () => {
    const { channel, published } = channelFor('patient')
    channel.sendConsent('agreed')
    channel.sendConsent('declined')
    const receiver = channelFor('clinician', 'Dr. Care').channel
    // Delivered out of order: the newest by the patient's clock still counts.
    for (const op of [...published].reverse()) {
      expect(consentOpSchema.safeParse(op).success).toBe(true)
      receiver.applyOp(op)
    }
    expect(receiver.consent()?.decision).toBe('declined')
    expect(channelFor('clinician').channel.sendConsent('agreed')).toMatch(/Only the patient/)
    expect(channelFor('specialist').channel.sendScreening('phq9', phq9(0))).toMatch(/Only the patient/)
  })
})
