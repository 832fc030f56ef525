// The aftercare plan as a FHIR R4 CarePlan, in the record and in the exported Bundle, checked by the same two
// validators as the vitals export (src/record/test-fhir-validator.ts).

import type { CarePlan } from '@medplum/fhirtypes'
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import type { ReceivedPlan } from '../care/aftercare'
import { carePlanResource } from './careplan'
import { toFhirBundle } from './fhir'
import { openRecord } from './record'
import { summarizeWarnings, VALIDATION_TIMEOUT_MS, validateFhirBundle } from './test-fhir-validator'

const AT = Date.UTC(2027, 4, 3, 10, 30)

export const PLAN: ReceivedPlan = {
  id: 'AAAAAAAAAAAAAAAAAAAAAA:7',
  at: AT,
  clinicianName: 'Dr. Care',
  plan: {
    instructions: 'Rest for two days. Drink plenty of water.',
    medications: [{ name: 'Paracetamol', dose: '500 mg, 1 tablet', times: ['08:00', '20:00'], days: 5 }],
    measurements: [{ what: 'Blood pressure', times: ['07:30'], everyDays: 2, days: 14 }],
    warningSigns: ['Chest pain', 'Shortness of breath at rest'],
    followUp: { start: Date.UTC(2027, 4, 17, 9, 0), durationMinutes: 20, note: 'Video call, same link' },
  },
}

describe('the aftercare CarePlan', () => {
  it('holds the instructions, each medication, measurement and the follow-up as activities, and the warning signs', () => {
    const plan = carePlanResource(PLAN, 'cp1', { reference: 'urn:uuid:p1' }, { reference: 'urn:uuid:d1' })
    expect(plan).toMatchObject({
      resourceType: 'CarePlan',
      status: 'active',
      intent: 'plan',
      description: 'Rest for two days. Drink plenty of water.',
      subject: { reference: 'urn:uuid:p1' },
      author: { reference: 'urn:uuid:d1' },
      created: '2027-05-03T10:30:00.000Z',
    })
    const [medication, measurement, followUp, ...more] = plan.activity ?? []
    expect(more).toEqual([])
    expect(medication?.detail).toMatchObject({
      kind: 'MedicationRequest',
      productCodeableConcept: { text: 'Paracetamol' },
      scheduledTiming: {
        repeat: { timeOfDay: ['08:00:00', '20:00:00'], frequency: 2, period: 1, periodUnit: 'd' },
      },
    })
    expect(medication?.detail?.scheduledTiming?.repeat?.boundsDuration).toMatchObject({ value: 5, code: 'd' })
    expect(measurement?.detail).toMatchObject({
      kind: 'ServiceRequest',
      code: { text: 'Blood pressure' },
      scheduledTiming: { repeat: { timeOfDay: ['07:30:00'], frequency: 1, period: 2, periodUnit: 'd' } },
    })
    expect(followUp?.detail).toMatchObject({
      kind: 'Appointment',
      status: 'scheduled',
      scheduledPeriod: { start: '2027-05-17T09:00:00.000Z', end: '2027-05-17T09:20:00.000Z' },
    })
    expect(plan.note?.map((n) => n.text)).toEqual([
      'Warning sign, seek urgent care: Chest pain',
      'Warning sign, seek urgent care: Shortness of breath at rest',
    ])
  })

  it(
    'is kept on the call in the record and exported in a Bundle that passes the FHIR validators',
    async () => {
      const record = openRecord(new IDBFactory(), { keyRange: IDBKeyRange })
      const callId = await record.startCall({
        roomId: 'room',
        startedAt: AT - 600_000,
        clinicianName: 'Dr. Care',
      })
      await record.setCarePlan(callId, PLAN)
      const loaded = await record.loadCall(callId)
      expect(loaded?.call.carePlan).toEqual(PLAN)
      let n = 0
      const bundle = await toFhirBundle(loaded?.call ?? {}, [], [], [], {
        exportedAt: AT + 60_000,
        newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      })
      await record.close()
      const carePlans = (bundle.entry ?? []).flatMap((e) =>
        e.resource?.resourceType === 'CarePlan' ? [e.resource as CarePlan] : [],
      )
      expect(carePlans).toHaveLength(1)
      const practitioner = bundle.entry?.find((e) => e.resource?.resourceType === 'Practitioner')
      expect(carePlans[0]?.author?.reference).toBe(practitioner?.fullUrl)
      const report = await validateFhirBundle(bundle)
      if (report.warnings.length)
        console.info(
          `FHIR validation warnings (care plan):\n  ${summarizeWarnings(report.warnings).join('\n  ')}`,
        )
      expect(report.errors).toEqual([])
    },
    VALIDATION_TIMEOUT_MS,
  )
})
