// Screening and consent as a channel of the call: the patient's answers to the questionnaires the invite asks
// for, and the patient's answer about the record, are replicated ops signed like every op. This channel adds the
// rules: only the patient's credential authors either, under the patient's own name, and a response must answer
// the questionnaire it names as FHIR defines it (./questionnaire.ts `checkResponse`: known items, enabled ones,
// answers of the right type, required ones answered, the score recomputed). Anything else is refused like a
// forged op (the link that carried it ends).
import type { Role } from '../room/invite'
import { type Answers, checkResponse, toResponse } from './questionnaire'
import { type ScreeningId, SHIPPED_QUESTIONNAIRES } from './questionnaires'
import {
  asFhirResponse,
  type ConsentDecision,
  type ConsentOp,
  RECORD_NOTICE,
  type ReceivedConsent,
  type ReceivedScreening,
  type ScreeningOp,
} from './screening'

export interface ScreeningChannelOptions {
  self: () => { session: string; name: string; role: Role }
  publish: (op: ScreeningOp | ConsentOp) => void
  nextOpId: () => string
  now?: () => number
}

/** Responses kept per call: one per questionnaire, resent a few times at most by an honest patient. */
export const MAX_SCREENINGS_KEPT = 20

export function createScreeningChannel(options: ScreeningChannelOptions) {
  const now = options.now ?? Date.now
  const screenings: ReceivedScreening[] = []
  const consents: ReceivedConsent[] = []
  const listeners = new Set<() => void>()
  /** Counts changes: a stable snapshot for a view that subscribes (useSyncExternalStore). */
  let revision = 0
  const changed = () => {
    revision++
    for (const listener of listeners) listener()
  }
  const byTime = (a: { at: number; id: string }, b: { at: number; id: string }) =>
    a.at - b.at || (a.id < b.id ? -1 : 1)
  return {
    kinds: ['screening', 'consent'] as const,
    validate(op: ScreeningOp | ConsentOp, author: { name: string; role: Role }): boolean {
      if (author.role !== 'patient' || op.patientName !== author.name) return false
      if (op.kind === 'consent') return true
      return checkResponse(
        SHIPPED_QUESTIONNAIRES[op.questionnaire].questionnaire,
        asFhirResponse(op.response),
      ).ok
    },
    applyOp(op: ScreeningOp | ConsentOp) {
      if (op.kind === 'consent') {
        const { id, at, patientName, decision, noticeVersion } = op
        consents.push({ id, at, patientName, decision, noticeVersion })
        consents.sort(byTime)
      } else {
        const { id, at, patientName, questionnaire, response } = op
        screenings.push({ id, at, patientName, questionnaire, response })
        screenings.sort(byTime)
        if (screenings.length > MAX_SCREENINGS_KEPT)
          screenings.splice(0, screenings.length - MAX_SCREENINGS_KEPT)
      }
      changed()
    },
    /** The newest response to each questionnaire, in the order they were answered. */
    latestScreenings(): ReceivedScreening[] {
      const newest = new Map<ScreeningId, ReceivedScreening>()
      for (const s of screenings) newest.set(s.questionnaire, s)
      return [...newest.values()].sort(byTime)
    },
    revision: () => revision,
    /** The patient's current answer about the record (the newest), if any. */
    consent(): ReceivedConsent | undefined {
      return consents.at(-1)
    },
    subscribe(listener: () => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    /** Sends the patient's answers; null, or a sentence saying why not (unanswered required items among them). */
    sendScreening(id: ScreeningId, answers: Answers): string | null {
      const { session, name, role } = options.self()
      if (role !== 'patient') return 'Only the patient answers the screening questions.'
      if (!session) return 'The answers can be sent once you are connected.'
      const at = now()
      const response = toResponse(
        SHIPPED_QUESTIONNAIRES[id].questionnaire,
        answers,
        new Date(at).toISOString(),
      )
      if (response.status !== 'completed') return 'Please answer the questions marked as needed.'
      options.publish({
        kind: 'screening',
        id: options.nextOpId(),
        author: session,
        at,
        patientName: name,
        questionnaire: id,
        response: response as ScreeningOp['response'],
      })
      return null
    },
    /** The patient agrees or declines to the record; the newest answer counts. */
    sendConsent(decision: ConsentDecision): string | null {
      const { session, name, role } = options.self()
      if (role !== 'patient') return 'Only the patient answers this.'
      if (!session) return 'Your answer can be sent once you are connected.'
      options.publish({
        kind: 'consent',
        id: options.nextOpId(),
        author: session,
        at: now(),
        patientName: name,
        decision,
        noticeVersion: RECORD_NOTICE.version,
      })
      return null
    },
  }
}

export type ScreeningChannel = ReturnType<typeof createScreeningChannel>
