// The aftercare plan: its reminders as calendar files read back by ical.js (medication times, home measurements,
// the follow-up), the rule that only the clinician authors a plan, and the patient's own copy.
import ICAL from 'ical.js'
import { describe, expect, it } from 'vitest'
import { aftercareOpSchema, firstAt, parseTimes, type ReceivedPlan, reminderCalendar } from './aftercare'
import { emptyForm, emptyMedication, planFromForm } from './aftercare-form'
import { createAftercareChannel } from './channel'
import { deletePlanCopy, loadPlanCopies, savePlanCopy } from './patient-copy'

const RECEIVED: ReceivedPlan = {
  id: 'AAAAAAAAAAAAAAAAAAAAAA:7',
  at: Date.UTC(2027, 4, 3, 10, 30),
  clinicianName: 'Dr. Care',
  plan: {
    instructions: 'Rest for two days.',
    medications: [{ name: 'Paracetamol', dose: '500 mg', times: ['08:00', '20:00'], days: 5 }],
    measurements: [{ what: 'Blood pressure', times: ['07:30'], everyDays: 2, days: 14 }],
    warningSigns: ['Chest pain'],
    followUp: { start: Date.UTC(2027, 4, 17, 9, 0), durationMinutes: 20, note: 'Video call, same link' },
  },
}

/** 3 May 2027, 12:30 in Berlin (+02:00): after 08:00, before 20:00. */
const FROM = Date.UTC(2027, 4, 3, 10, 30)

function events(text: string | null) {
  if (!text) throw new Error('no calendar')
  const calendar = new ICAL.Component(ICAL.parse(text))
  return calendar.getAllSubcomponents('vevent').map((vevent) => ({ vevent, event: new ICAL.Event(vevent) }))
}

const occurrences = (event: ICAL.Event, max = 100) => {
  const out: number[] = []
  const it = event.iterator()
  for (let next = it.next(); next && out.length < max; next = it.next()) out.push(next.toJSDate().getTime())
  return out
}

describe('aftercare reminders', () => {
  it('reminds of each medication time daily for the course, on the patient’s clock, from the next such time', () => {
    const parsed = events(reminderCalendar(RECEIVED, 'medications', 'Europe/Berlin', FROM))
    expect(parsed.map(({ event }) => event.summary)).toEqual([
      'Take Paracetamol (500 mg)',
      'Take Paracetamol (500 mg)',
    ])
    const [morning, evening] = parsed
    if (!morning || !evening) throw new Error('two events expected')
    // 08:00 has passed on 3 May: the first morning dose is on 4 May; 20:00 is still today.
    expect(morning.event.startDate.toJSDate().getTime()).toBe(Date.UTC(2027, 4, 4, 6, 0))
    expect(morning.event.startDate.zone.tzid).toBe('Europe/Berlin')
    expect(morning.event.startDate.hour).toBe(8)
    expect(evening.event.startDate.toJSDate().getTime()).toBe(Date.UTC(2027, 4, 3, 18, 0))
    const days = occurrences(evening.event)
    expect(days).toHaveLength(5)
    expect(days.at(-1)).toBe(Date.UTC(2027, 4, 7, 18, 0))
    const trigger = evening.vevent.getFirstSubcomponent('valarm')?.getFirstPropertyValue('trigger')
    expect((trigger as ICAL.Duration).toSeconds()).toBe(0)
    expect(new Set(parsed.map(({ event }) => event.uid)).size).toBe(2)
  })

  it('reminds of a home measurement every few days, and of the follow-up a day ahead', () => {
    const [measure] = events(reminderCalendar(RECEIVED, 'measurements', 'Europe/Berlin', FROM))
    if (!measure) throw new Error('no measurement reminder')
    expect(measure.event.summary).toBe('Measure: Blood pressure')
    const times = occurrences(measure.event)
    // Every second day for 14 days: 7 times, from 4 May 07:30 (+02:00).
    expect(times).toHaveLength(7)
    expect(times[0]).toBe(Date.UTC(2027, 4, 4, 5, 30))
    expect(times[1]).toBe(Date.UTC(2027, 4, 6, 5, 30))

    const [follow] = events(reminderCalendar(RECEIVED, 'follow-up', 'Europe/Berlin', FROM))
    if (!follow) throw new Error('no follow-up')
    expect(follow.event.startDate.toJSDate().getTime()).toBe(Date.UTC(2027, 4, 17, 9, 0))
    expect(follow.event.endDate.toJSDate().getTime()).toBe(Date.UTC(2027, 4, 17, 9, 20))
    expect(follow.event.description).toBe('Video call, same link')
    const trigger = follow.vevent.getFirstSubcomponent('valarm')?.getFirstPropertyValue('trigger')
    expect((trigger as ICAL.Duration).toSeconds()).toBe(-86_400)
  })

  it('keeps a daily time on the wall clock across the change to summer time', () => {
    // 08:00 in New York from 12 March 2027 (EST) to 16 March (EDT, after the change on the 14th).
    const plan = {
      ...RECEIVED,
      plan: { ...RECEIVED.plan, medications: [{ name: 'X', dose: '', times: ['08:00'], days: 5 }] },
    }
    const [only] = events(reminderCalendar(plan, 'medications', 'America/New_York', Date.UTC(2027, 2, 12, 0)))
    if (!only) throw new Error('no event')
    expect(occurrences(only.event)).toEqual([
      Date.UTC(2027, 2, 12, 13),
      Date.UTC(2027, 2, 13, 13),
      Date.UTC(2027, 2, 14, 12),
      Date.UTC(2027, 2, 15, 12),
      Date.UTC(2027, 2, 16, 12),
    ])
  })

  it('has no file for what the plan does not have', () => {
    const empty = { ...RECEIVED, plan: { ...RECEIVED.plan, medications: [], followUp: undefined } }
    expect(reminderCalendar(empty, 'medications', 'UTC', FROM)).toBeNull()
    expect(reminderCalendar(empty, 'follow-up', 'UTC', FROM)).toBeNull()
  })

  it('reads times as people type them, and refuses what is not a time', () => {
    expect(parseTimes('8:00, 20:00 8:00')).toEqual(['08:00', '20:00'])
    expect(parseTimes('25:00')).toBeNull()
    expect(parseTimes('')).toBeNull()
    expect(firstAt('00:00', 'UTC', Date.UTC(2027, 0, 1, 0, 0))).toBe(Date.UTC(2027, 0, 1))
  })
})

describe('who may author a plan', () => {
  const sent: unknown[] = []
  const channel = (role: 'clinician' | 'patient', shown: ReceivedPlan[] = []) =>
    createAftercareChannel({
      self: () => ({ session: 'S'.repeat(22), name: 'Me', role }),
      publish: (op) => sent.push(op),
      nextOpId: () => `${'S'.repeat(22)}:1`,
      onPlan: (plan) => shown.push(plan),
      now: () => RECEIVED.at,
    })
  const op = aftercareOpSchema.parse({
    kind: 'care-plan',
    id: `${'A'.repeat(22)}:3`,
    author: 'A'.repeat(22),
    at: RECEIVED.at,
    clinicianName: 'Dr. Care',
    plan: RECEIVED.plan,
  })

  it('takes a plan only from the clinician’s credential, under their own name', () => {
    const receiver = channel('patient')
    expect(receiver.validate(op, { name: 'Dr. Care', role: 'clinician' })).toBe(true)
    expect(receiver.validate(op, { name: 'Dr. Care', role: 'patient' })).toBe(false)
    expect(receiver.validate(op, { name: 'Dr. Care', role: 'specialist' })).toBe(false)
    expect(receiver.validate(op, { name: 'Dr. Other', role: 'clinician' })).toBe(false)
  })

  it('sends only from the clinician’s page, and never an empty plan', () => {
    sent.length = 0
    expect(channel('patient').send(RECEIVED.plan)).toBe('Only the clinician can send an aftercare plan.')
    const empty = { instructions: '', medications: [], measurements: [], warningSigns: [] }
    expect(channel('clinician').send(empty)).toMatch(/empty/)
    expect(sent).toEqual([])
    expect(channel('clinician').send(RECEIVED.plan)).toBeNull()
    expect(sent).toHaveLength(1)
    expect(aftercareOpSchema.safeParse(sent[0]).success).toBe(true)
  })

  it('shows the newest plan by the clinician’s clock', () => {
    const shown: ReceivedPlan[] = []
    const receiver = channel('patient', shown)
    receiver.applyOp({
      ...op,
      id: `${'A'.repeat(22)}:4`,
      at: op.at + 1000,
      plan: { ...op.plan, instructions: 'B' },
    })
    receiver.applyOp(op)
    expect(shown).toHaveLength(2)
    expect(receiver.latest()?.plan.instructions).toBe('B')
  })

  it('refuses on the wire what no form makes', () => {
    const bad = (patch: object) => aftercareOpSchema.safeParse({ ...op, ...patch }).success
    expect(
      bad({ plan: { ...op.plan, medications: [{ name: 'X', dose: '', times: ['8 pm'], days: 1 }] } }),
    ).toBe(false)
    expect(bad({ plan: { ...op.plan, followUp: { start: 1e300, durationMinutes: 20, note: '' } } })).toBe(
      false,
    )
    expect(bad({ plan: { ...op.plan, instructions: 'x'.repeat(5000) } })).toBe(false)
  })
})

describe('the patient’s own copy', () => {
  function memoryStorage() {
    const map = new Map<string, string>()
    return {
      getItem: (key: string) => map.get(key) ?? null,
      setItem: (key: string, value: string) => void map.set(key, value),
      map,
    }
  }

  it('keeps each plan once, newest first, and reads back only what parses', () => {
    const storage = memoryStorage()
    expect(savePlanCopy(storage, RECEIVED, 'room1', 1)).toBe(true)
    expect(savePlanCopy(storage, RECEIVED, 'room1', 2)).toBe(true)
    const newer = { ...RECEIVED, id: 'x:8', at: RECEIVED.at + 1 }
    savePlanCopy(storage, newer, 'room1', 3)
    expect(loadPlanCopies(storage).map((copy) => copy.id)).toEqual(['x:8', RECEIVED.id])
    // Edited by hand (or by an older version): that copy is left out, the others stay.
    const stored = JSON.parse([...storage.map.values()][0] ?? '[]') as { plan: unknown }[]
    if (stored[0]) stored[0].plan = { instructions: 42 }
    storage.map.set([...storage.map.keys()][0] ?? '', JSON.stringify(stored))
    expect(loadPlanCopies(storage).map((copy) => copy.id)).toEqual([RECEIVED.id])
    deletePlanCopy(storage, RECEIVED.id, 'room1')
    expect(loadPlanCopies(storage)).toEqual([])
    expect(loadPlanCopies({ getItem: () => '{not json' })).toEqual([])
  })
})

describe('the clinician’s form', () => {
  const filled = () => ({
    ...emptyForm(),
    instructions: '  Rest.  ',
    medications: [
      { name: 'Paracetamol', dose: '500 mg', times: '8:00, 20:00', days: '5' },
      emptyMedication(),
    ],
    warningSigns: 'Chest pain\n\n  Fainting ',
    followUpDate: '2031-05-20',
    followUpTime: '10:00',
    followUpMinutes: '20',
    followUpNote: 'Same link',
  })

  it('turns what was typed into a plan, blank rows left out, the follow-up on the clinician’s clock', () => {
    const result = planFromForm(filled(), 'Europe/Berlin')
    expect(result).toEqual({
      ok: true,
      plan: {
        instructions: 'Rest.',
        medications: [{ name: 'Paracetamol', dose: '500 mg', times: ['08:00', '20:00'], days: 5 }],
        measurements: [],
        warningSigns: ['Chest pain', 'Fainting'],
        followUp: { start: Date.UTC(2031, 4, 20, 8, 0), durationMinutes: 20, note: 'Same link' },
      },
    })
  })

  it('says which field to correct', () => {
    const bad = (patch: object) => {
      const result = planFromForm({ ...filled(), ...patch }, 'UTC')
      return result.ok ? null : result.reason
    }
    expect(bad({ medications: [{ name: 'X', dose: '', times: '8 pm', days: '5' }] })).toBe(
      'Give the times for X as 08:00, 20:00.',
    )
    expect(bad({ medications: [{ name: 'X', dose: '', times: '08:00', days: '0' }] })).toMatch(
      /how many days/,
    )
    expect(bad({ measurements: [{ what: '', times: '07:00', everyDays: '1', days: '3' }] })).toBe(
      'Each measurement needs to say what to measure.',
    )
    expect(bad({ followUpTime: '' })).toBe(
      'Give the next appointment a date and a time, or leave both empty.',
    )
    expect(planFromForm(emptyForm(), 'UTC')).toEqual({
      ok: false,
      reason: 'The plan is empty: write at least one instruction.',
    })
  })
})
