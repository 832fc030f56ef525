// The screening answers and the patient's consent to the record as FHIR R4 resources for the export (fhir.ts):
// each QuestionnaireResponse with the Questionnaire it answers (the app's own copy, so a receiving system can read
// the questions without fetching anything), and a Consent that says what the patient agreed to, with the words
// they were shown. Checked by the same two validators as the vitals export (src/record/test-fhir-validator.ts).
import type {
  Consent,
  Patient,
  Practitioner,
  Questionnaire,
  QuestionnaireResponse,
  Reference,
} from '@medplum/fhirtypes'
import { SHIPPED_QUESTIONNAIRES } from '../care/questionnaires'
import {
  asFhirResponse,
  RECORD_NOTICE,
  type ReceivedConsent,
  type ReceivedScreening,
} from '../care/screening'
import { bytesToBase64 } from '../lib/base64'

/** The shipped questionnaire a response answers, as a resource of the Bundle. */
export function questionnaireResource(screening: ReceivedScreening, id: string): Questionnaire {
  return { ...structuredClone(SHIPPED_QUESTIONNAIRES[screening.questionnaire].questionnaire), id }
}

/** A response about `subject`, authored by them (the patient answered it themselves). */
export function questionnaireResponseResource(
  screening: ReceivedScreening,
  id: string,
  subject: Reference<Patient>,
): QuestionnaireResponse {
  return {
    ...structuredClone(asFhirResponse(screening.response)),
    id,
    subject,
    author: subject,
    source: subject,
  }
}

const textEncoder = new TextEncoder()

/**
 * The patient's answer about the record as a Consent: scope patient-privacy, category LOINC 59284-0 (patient
 * consent), the opt-in (or opt-out) policy rule that ppc-1 asks for, a permit (or deny) provision from the time of
 * the answer, and the notice they were shown as the source attachment. A declined record is never written, so in
 * practice the export holds agreements; the deny form is there so the resource never lies if one is exported.
 */
export function consentResource(
  consent: ReceivedConsent,
  id: string,
  patient: Reference<Patient>,
  clinician?: Reference<Practitioner>,
): Consent {
  const agreed = consent.decision === 'agreed'
  const at = new Date(consent.at).toISOString()
  return {
    resourceType: 'Consent',
    id,
    status: 'active',
    scope: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/consentscope',
          code: 'patient-privacy',
          display: 'Privacy Consent',
        },
      ],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient,
    dateTime: at,
    performer: [patient],
    ...(clinician ? { organization: undefined } : {}),
    sourceAttachment: {
      contentType: 'text/plain; charset=utf-8',
      title: `What the patient was told (notice version ${consent.noticeVersion})`,
      data: bytesToBase64(textEncoder.encode(RECORD_NOTICE.text)),
    },
    policyRule: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
          code: agreed ? 'OPTIN' : 'OPTOUT',
          display: agreed ? 'opt-in' : 'opt-out',
        },
      ],
    },
    provision: {
      type: agreed ? 'permit' : 'deny',
      period: { start: at },
      // The clinician keeps the record: its custodian.
      ...(clinician
        ? {
            actor: [
              {
                role: {
                  coding: [
                    {
                      system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                      code: 'CST',
                      display: 'custodian',
                    },
                  ],
                },
                reference: clinician,
              },
            ],
          }
        : {}),
    },
  }
}
