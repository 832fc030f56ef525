// The screening answers and the consent, kept on the call in the record and exported as QuestionnaireResponse,
// Questionnaire and Consent in a Bundle (with a CarePlan) that passes the two FHIR validators of the vitals export.
import type { Consent, QuestionnaireResponse } from '@medplum/fhirtypes'
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import type { ReceivedPlan } from '../care/aftercare'
import { phq9Answers } from '../care/phq9-test-kit'
import { toResponse } from '../care/questionnaire'
import { SHIPPED_QUESTIONNAIRES } from '../care/questionnaires'
import {
  type ReceivedConsent,
  type ReceivedScreening,
  screeningSummary,
  type WireResponse,
} from '../care/screening'
import { toFhirBundle } from './fhir'
import { openRecord } from './record'
import { summarizeWarnings, VALIDATION_TIMEOUT_MS, validateFhirBundle } from './test-fhir-validator'

const AT = Date.UTC(2027, 4, 3, 10, 0)

const phq9: ReceivedScreening = {
  id: 'BBBBBBBBBBBBBBBBBBBBBB:3',
  at: AT,
  patientName: 'Pat Patient',
  questionnaire: 'phq9',
  response: toResponse(
    SHIPPED_QUESTIONNAIRES.phq9.questionnaire,
    {
      ...phq9Answers([2, 2, 1, 2, 1, 1, 1, 0, 0]),
      '69722-7': {
        valueCoding: { system: 'http://loinc.org', code: 'LA6573-5', display: 'Somewhat difficult' },
      },
    },
    new Date(AT).toISOString(),
  ) as WireResponse,
}
const intake: ReceivedScreening = {
  id: 'BBBBBBBBBBBBBBBBBBBBBB:4',
  at: AT + 1000,
  patientName: 'Pat Patient',
  questionnaire: 'intake',
  response: toResponse(
    SHIPPED_QUESTIONNAIRES.intake.questionnaire,
    {
      reason: { valueString: 'Low mood for a month' },
      since: { valueDate: '2027-04-01' },
      pain: { valueBoolean: true },
      'pain-score': { valueInteger: 3 },
      'takes-medication': { valueBoolean: false },
      weight: { valueDecimal: 71.5 },
    },
    new Date(AT + 1000).toISOString(),
  ) as WireResponse,
}
/** A small aftercare plan: the Bundle holds all three of the care resources together. */
const PLAN: ReceivedPlan = {
  id: 'AAAAAAAAAAAAAAAAAAAAAA:7',
  at: AT + 3000,
  clinicianName: 'Dr. Care',
  plan: {
    instructions: 'Walk every day.',
    medications: [],
    measurements: [],
    warningSigns: ['Thoughts of self-harm'],
  },
}
const consent: ReceivedConsent = {
  id: 'BBBBBBBBBBBBBBBBBBBBBB:2',
  at: AT - 60_000,
  patientName: 'Pat Patient',
  decision: 'agreed',
  noticeVersion: 1,
}

describe('screening and consent in the record', () => {
  it(
    'are kept on the call and exported in a Bundle that passes the FHIR validators',
    async () => {
      const record = openRecord(new IDBFactory(), { keyRange: IDBKeyRange })
      const callId = await record.startCall({
        roomId: 'room',
        startedAt: AT - 600_000,
        clinicianName: 'Dr. Care',
      })
      await record.setConsent(callId, consent)
      await record.addScreening(callId, phq9)
      await record.addScreening(callId, intake)
      // A newer answer to the same questionnaire replaces the older.
      await record.addScreening(callId, { ...phq9, id: 'BBBBBBBBBBBBBBBBBBBBBB:5', at: AT + 2000 })
      await record.setCarePlan(callId, PLAN)
      const loaded = await record.loadCall(callId)
      await record.close()
      expect(loaded?.call.consent).toEqual(consent)
      expect(loaded?.call.screenings?.map((s) => s.id)).toEqual([
        'BBBBBBBBBBBBBBBBBBBBBB:4',
        'BBBBBBBBBBBBBBBBBBBBBB:5',
      ])
      let n = 0
      const bundle = await toFhirBundle(loaded?.call ?? {}, [], [], [], {
        exportedAt: AT + 60_000,
        newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      })
      const of = <T>(type: string) =>
        (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === type ? [e.resource as T] : []))
      const responses = of<QuestionnaireResponse>('QuestionnaireResponse')
      expect(responses.map((r) => r.questionnaire)).toEqual([
        'urn:xr-consult:questionnaire:intake|1',
        'urn:xr-consult:questionnaire:phq9|1',
      ])
      const score = responses[1]?.item?.[0]?.item?.find((i) => i.linkId === '44261-6')
      expect(score?.answer).toEqual([{ valueInteger: 10 }])
      expect(of('Questionnaire')).toHaveLength(2)
      const [kept, ...more] = of<Consent>('Consent')
      expect(more).toEqual([])
      expect(kept).toMatchObject({
        status: 'active',
        provision: { type: 'permit' },
        policyRule: { coding: [{ code: 'OPTIN' }] },
        dateTime: new Date(consent.at).toISOString(),
      })
      expect(of('CarePlan')).toHaveLength(1)
      const report = await validateFhirBundle(bundle)
      if (report.warnings.length)
        console.info(
          `FHIR validation warnings (screening):\n  ${summarizeWarnings(report.warnings).join('\n  ')}`,
        )
      expect(report.errors).toEqual([])
    },
    VALIDATION_TIMEOUT_MS,
  )
})

describe('the screening in a few lines (the headset’s side panel)', () => {
  it('gives PHQ-9 its score and band, another questionnaire a line, and puts item 9’s warning first', () => {
    expect(screeningSummary([phq9, intake])).toEqual([
      'Pat Patient: PHQ-9 score 10 of 27, moderate',
      'Pat Patient: General pre-visit intake answered',
    ])
    const selfHarm: ReceivedScreening = {
      ...phq9,
      response: toResponse(
        SHIPPED_QUESTIONNAIRES.phq9.questionnaire,
        phq9Answers([0, 0, 0, 0, 0, 0, 0, 0, 1]),
        new Date(AT).toISOString(),
      ) as WireResponse,
    }
    expect(screeningSummary([selfHarm])).toEqual([
      'Pat Patient: PHQ-9 item 9 above "Not at all": ask today',
      'Pat Patient: PHQ-9 score 1 of 27, minimal',
    ])
  })
})
