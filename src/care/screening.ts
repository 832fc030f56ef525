// Screening answers and the patient's consent to the record, on the wire. Both are replicated ops signed by their
// author like every op (so a clinician who reconnects or joins later still gets them), both may only come from the
// patient's credential under the patient's own name (./screening-channel.ts), and both cross the waiting room:
// they are what a patient does there before being let in. Pure.
import type { QuestionnaireResponse } from '@medplum/fhirtypes'
import * as z from 'zod/mini'
import { answersOf } from './questionnaire'
import { phq9Result, SCREENING_IDS, SHIPPED_QUESTIONNAIRES } from './questionnaires'

/** Longest free-text answer, characters (the shipped questionnaires ask for at most 1000). */
const MAX_ANSWER_TEXT = 1000
/** Most items at one level of a response: the shipped questionnaires have at most 12. */
const MAX_ITEMS = 40
/** As the protocol's longest display name. */
const MAX_NAME_LENGTH = 64

const answerSchema = z.union([
  z.strictObject({ valueBoolean: z.boolean() }),
  z.strictObject({ valueString: z.string().check(z.maxLength(MAX_ANSWER_TEXT)) }),
  // A person's answers (a score, a weight): far within these bounds.
  z.strictObject({ valueInteger: z.int().check(z.gte(-1e6), z.lte(1e6)) }),
  z.strictObject({ valueDecimal: z.number().check(z.gte(-1e6), z.lte(1e6)) }),
  z.strictObject({ valueDate: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)) }),
  z.strictObject({
    valueCoding: z.strictObject({
      system: z.string().check(z.maxLength(200)),
      code: z.string().check(z.maxLength(64)),
      display: z.optional(z.string().check(z.maxLength(200))),
    }),
  }),
])

const itemBase = {
  linkId: z.string().check(z.minLength(1), z.maxLength(64)),
  text: z.optional(z.string().check(z.maxLength(500))),
  answer: z.optional(z.array(answerSchema).check(z.maxLength(1))),
}
// Three levels written out (the shipped questionnaires nest two deep): a recursive schema would let a message
// nest as deep as its length allows, and the parse must never throw.
const level3 = z.strictObject(itemBase)
const level2 = z.strictObject({
  ...itemBase,
  item: z.optional(z.array(level3).check(z.maxLength(MAX_ITEMS))),
})
const level1 = z.strictObject({
  ...itemBase,
  item: z.optional(z.array(level2).check(z.maxLength(MAX_ITEMS))),
})

export const questionnaireResponseSchema = z.strictObject({
  resourceType: z.literal('QuestionnaireResponse'),
  questionnaire: z.string().check(z.maxLength(200)),
  status: z.enum(['completed', 'in-progress']),
  authored: z.string().check(z.maxLength(40)),
  item: z.array(level1).check(z.maxLength(MAX_ITEMS)),
})

/** A questionnaire's answers, sent by the patient (completed: every required item answered). */
export const screeningOpSchema = z.object({
  kind: z.literal('screening'),
  id: z.string().check(z.minLength(1), z.maxLength(80)),
  author: z.string().check(z.length(22)),
  at: z.number(),
  patientName: z.string().check(z.minLength(1), z.maxLength(MAX_NAME_LENGTH)),
  questionnaire: z.enum(SCREENING_IDS),
  response: questionnaireResponseSchema,
})
export type ScreeningOp = z.infer<typeof screeningOpSchema>

export const CONSENT_DECISIONS = ['agreed', 'declined'] as const
export type ConsentDecision = (typeof CONSENT_DECISIONS)[number]

/** The patient's answer to "may the clinician's browser keep a record of this call?"; the newest one counts. */
export const consentOpSchema = z.object({
  kind: z.literal('consent'),
  id: z.string().check(z.minLength(1), z.maxLength(80)),
  author: z.string().check(z.length(22)),
  at: z.number(),
  patientName: z.string().check(z.minLength(1), z.maxLength(MAX_NAME_LENGTH)),
  decision: z.enum(CONSENT_DECISIONS),
  /** Which wording of RECORD_NOTICE the patient was shown. */
  noticeVersion: z.int().check(z.gte(1), z.lte(1000)),
})
export type ConsentOp = z.infer<typeof consentOpSchema>

/** Op kinds that pass the waiting room besides the call layer's own (who is who). */
export const WAITING_ROOM_OP_KINDS: ReadonlySet<string> = new Set(['screening', 'consent'])

/** A received screening, as the channel keeps it. */
export interface ReceivedScreening {
  id: string
  at: number
  patientName: string
  questionnaire: (typeof SCREENING_IDS)[number]
  /** As received and checked (a QuestionnaireResponse; its own shape keeps Dexie's key-path types finite). */
  response: WireResponse
}

export type WireResponse = z.infer<typeof questionnaireResponseSchema>

/** The response as the FHIR type the export and the questionnaire engine use. */
export const asFhirResponse = (response: WireResponse): QuestionnaireResponse =>
  response as QuestionnaireResponse

/** A received consent decision. */
export interface ReceivedConsent {
  id: string
  at: number
  patientName: string
  decision: ConsentDecision
  noticeVersion: number
}

/** What every participant is told is kept, and where; the patient agrees or declines to it. */
export const RECORD_NOTICE = {
  version: 1,
  text:
    'The clinician’s browser keeps a record of this call: the vital signs, ECG and alarms shared in it, the ' +
    'marks drawn, the names and fingerprints of shared files (not the files), the screening answers, the ' +
    'aftercare plan and the names of the participants. It is kept only in that browser’s own storage ' +
    '(IndexedDB) on the clinician’s device, never on a server, until the clinician deletes it or exports it ' +
    'to your health record. Video, sound and chat are never kept. If you decline, nothing of this call is kept.',
} as const

/** Whether the clinician's record of the call may be written now. */
export type RecordGate = 'hold' | 'record' | 'discard'

/**
 * The record waits for the patient. Declined: nothing of the call is kept (what was kept is deleted). Agreed: it
 * is kept. No answer yet while a patient is in the call: nothing is written. A call without a patient (remote
 * guidance between a specialist and an on-site worker, colleagues among themselves) holds nothing of a patient
 * to consent to: it is recorded once someone else is there, until a patient (or someone not yet known) arrives.
 */
export function recordGate(
  consent: { decision: ConsentDecision } | undefined,
  others: ReadonlyArray<{ role?: string | null }>,
): RecordGate {
  if (consent?.decision === 'declined') return 'discard'
  if (consent?.decision === 'agreed') return 'record'
  // Someone whose role is not known yet (still connecting) may be the patient.
  if (others.some((p) => p.role == null || p.role === 'patient')) return 'hold'
  return others.length > 0 ? 'record' : 'hold'
}

/**
 * The screening answers in a few short lines, for where there is room for no more than that (the headset's side
 * panel): per questionnaire who answered, and PHQ-9's score and band, with item 9's warning first of all.
 */
export function screeningSummary(results: readonly ReceivedScreening[]): string[] {
  const lines: string[] = []
  for (const result of results) {
    const label = SHIPPED_QUESTIONNAIRES[result.questionnaire].label
    const phq9 =
      result.questionnaire === 'phq9' ? phq9Result(answersOf(asFhirResponse(result.response))) : null
    if (phq9?.selfHarm) lines.unshift(`${result.patientName}: PHQ-9 item 9 above "Not at all": ask today`)
    lines.push(
      phq9
        ? `${result.patientName}: PHQ-9 score ${phq9.score} of 27, ${phq9.band}`
        : `${result.patientName}: ${label} answered`,
    )
  }
  return lines
}
