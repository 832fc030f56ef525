// The screening questionnaires the app ships, as FHIR R4 Questionnaires, each with its licence and source beside
// it. The clinician picks some per invitation; the patient's link names them by id (src/room/invite.ts), and the
// patient's page renders the copy it was built with, so no questionnaire is ever fetched from anywhere.
import type {
  Coding,
  Questionnaire,
  QuestionnaireItem,
  QuestionnaireItemAnswerOption,
} from '@medplum/fhirtypes'
import { type Answers, CALCULATED_EXPRESSION, calculatedValues, ORDINAL_VALUE } from './questionnaire'

export interface ShippedQuestionnaire {
  /** Short id, as invite links carry it. */
  id: ScreeningId
  /** What the clinician picks from. */
  label: string
  questionnaire: Questionnaire
  /** Under which terms we ship it. */
  licence: string
  /** Where its wording comes from. */
  source: string
}

export const SCREENING_IDS = ['intake', 'phq9', 'preadmission'] as const
export type ScreeningId = (typeof SCREENING_IDS)[number]

/** Canonical urls are names, never fetched: a urn keeps it plain that nothing lives at an address. */
const BASE = 'urn:xr-consult:questionnaire:'
const LOINC = 'http://loinc.org'

const yesNo = (linkId: string, text: string, extra: Partial<QuestionnaireItem> = {}): QuestionnaireItem => ({
  linkId,
  text,
  type: 'boolean',
  ...extra,
})

// ---- A general pre-visit intake: written for this project, CC0. ----

const intake: Questionnaire = {
  resourceType: 'Questionnaire',
  url: `${BASE}intake`,
  version: '1',
  name: 'PreVisitIntake',
  title: 'Before your consultation',
  status: 'active',
  copyright: 'Written for XR Consult; dedicated to the public domain (CC0 1.0).',
  item: [
    {
      linkId: 'intro',
      type: 'display',
      text: 'A few questions so that your clinician knows why you come. Answer what you can; starred ones are needed.',
    },
    {
      linkId: 'reason',
      type: 'text',
      text: 'What would you like to talk about today?',
      required: true,
      maxLength: 1000,
    },
    { linkId: 'since', type: 'date', text: 'Since when (roughly)?' },
    {
      linkId: 'pain',
      type: 'boolean',
      text: 'Are you in pain?',
      required: true,
    },
    {
      linkId: 'pain-score',
      type: 'integer',
      text: 'How strong is the pain, from 0 (none) to 10 (the worst you can imagine)?',
      required: true,
      enableWhen: [{ question: 'pain', operator: '=', answerBoolean: true }],
    },
    {
      linkId: 'pain-severe',
      type: 'display',
      text: 'Severe pain: tell your clinician at the start of the call.',
      enableWhen: [{ question: 'pain-score', operator: '>=', answerInteger: 7 }],
    },
    {
      linkId: 'medication',
      type: 'group',
      text: 'Medicines',
      item: [
        yesNo('takes-medication', 'Do you take any medicines regularly?', { required: true }),
        {
          linkId: 'medication-list',
          type: 'text',
          text: 'Which ones, and how much?',
          maxLength: 1000,
          required: true,
          enableWhen: [{ question: 'takes-medication', operator: '=', answerBoolean: true }],
        },
      ],
    },
    yesNo('allergies', 'Do you have any allergies?'),
    {
      linkId: 'allergy-list',
      type: 'string',
      text: 'Which allergies?',
      maxLength: 200,
      enableWhen: [{ question: 'allergies', operator: '=', answerBoolean: true }],
    },
    { linkId: 'weight', type: 'decimal', text: 'Your weight in kg, if you know it' },
    {
      linkId: 'pregnant',
      type: 'choice',
      text: 'Could you be pregnant?',
      answerOption: [
        { valueCoding: { system: 'urn:xr-consult:answers', code: 'no', display: 'No' } },
        { valueCoding: { system: 'urn:xr-consult:answers', code: 'yes', display: 'Yes' } },
        { valueCoding: { system: 'urn:xr-consult:answers', code: 'na', display: 'Does not apply to me' } },
      ],
    },
  ],
}

// ---- PHQ-9: Kroenke, Spitzer & Williams 2001; copyright Pfizer, no permission required to reproduce. ----

const FREQUENCY: Array<[string, string, number]> = [
  ['LA6568-5', 'Not at all', 0],
  ['LA6569-3', 'Several days', 1],
  ['LA6570-1', 'More than half the days', 2],
  ['LA6571-9', 'Nearly every day', 3],
]
const frequencyOptions: QuestionnaireItemAnswerOption[] = FREQUENCY.map(([code, display, score]) => ({
  valueCoding: {
    system: LOINC,
    code,
    display,
    extension: [{ url: ORDINAL_VALUE, valueDecimal: score }],
  },
}))

/** The nine items with their LOINC codes, in the instrument's order. */
const PHQ9_ITEMS: Array<[string, string]> = [
  ['44250-9', 'Little interest or pleasure in doing things'],
  ['44255-8', 'Feeling down, depressed, or hopeless'],
  ['44259-0', 'Trouble falling or staying asleep, or sleeping too much'],
  ['44254-1', 'Feeling tired or having little energy'],
  ['44251-7', 'Poor appetite or overeating'],
  [
    '44258-2',
    'Feeling bad about yourself — or that you are a failure or have let yourself or your family down',
  ],
  ['44252-5', 'Trouble concentrating on things, such as reading the newspaper or watching television'],
  [
    '44253-3',
    'Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual',
  ],
  ['44260-8', 'Thoughts that you would be better off dead or of hurting yourself in some way'],
]
/** PHQ-9 total score (LOINC 44261-6). */
export const PHQ9_SCORE_LINK = '44261-6'
/** Item 9 (thoughts of self-harm): any answer above "Not at all" needs the clinician's attention whatever the score. */
export const PHQ9_ITEM9_LINK = '44260-8'

const DIFFICULTY: Array<[string, string]> = [
  ['LA6572-7', 'Not difficult at all'],
  ['LA6573-5', 'Somewhat difficult'],
  ['LA6575-0', 'Very difficult'],
  ['LA6574-3', 'Extremely difficult'],
]

const phq9: Questionnaire = {
  resourceType: 'Questionnaire',
  url: `${BASE}phq9`,
  version: '1',
  name: 'PHQ9',
  title: 'PHQ-9 quick depression assessment',
  status: 'active',
  code: [{ system: LOINC, code: '44249-1', display: 'PHQ-9 quick depression assessment panel' }],
  copyright:
    'PHQ-9: Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute.',
  item: [
    {
      linkId: 'phq9',
      type: 'group',
      text: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
      item: [
        ...PHQ9_ITEMS.map(
          ([code, text]): QuestionnaireItem => ({
            linkId: code,
            code: [{ system: LOINC, code }],
            text,
            type: 'choice',
            required: true,
            answerOption: frequencyOptions,
          }),
        ),
        {
          linkId: PHQ9_SCORE_LINK,
          code: [
            {
              system: LOINC,
              code: PHQ9_SCORE_LINK,
              display: 'Patient Health Questionnaire 9 item total score',
            },
          ],
          text: 'Total score',
          type: 'integer',
          readOnly: true,
          extension: [
            {
              url: CALCULATED_EXPRESSION,
              valueExpression: {
                description: 'The sum of the nine answers’ ordinal values (0–27)',
                language: 'text/fhirpath',
                expression: "%resource.item.where(linkId='phq9').item.answer.value.ordinal().sum()",
              },
            },
          ],
        },
      ],
    },
    {
      linkId: '69722-7',
      code: [{ system: LOINC, code: '69722-7' }],
      text: 'If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?',
      type: 'choice',
      // Asked once any problem is checked, as the paper form says; not scored.
      enableWhen: [{ question: PHQ9_SCORE_LINK, operator: '>', answerInteger: 0 }],
      answerOption: DIFFICULTY.map(([code, display]) => ({ valueCoding: { system: LOINC, code, display } })),
    },
  ],
}

// ---- A pre-admission checklist: written for this project, CC0. ----

const preadmission: Questionnaire = {
  resourceType: 'Questionnaire',
  url: `${BASE}preadmission`,
  version: '1',
  name: 'PreAdmissionChecklist',
  title: 'Before your admission',
  status: 'active',
  copyright: 'Written for XR Consult; dedicated to the public domain (CC0 1.0).',
  item: [
    { linkId: 'admission-date', type: 'date', text: 'Date of your admission', required: true },
    yesNo('fasting-told', 'Have you been told when to stop eating and drinking before the procedure?', {
      required: true,
    }),
    {
      linkId: 'fasting-from',
      type: 'string',
      text: 'From when will you stop eating (e.g. midnight)?',
      maxLength: 100,
      enableWhen: [{ question: 'fasting-told', operator: '=', answerBoolean: true }],
    },
    yesNo('anticoagulants', 'Do you take blood thinners (e.g. warfarin, apixaban, clopidogrel)?', {
      required: true,
    }),
    {
      linkId: 'anticoagulants-stop',
      type: 'boolean',
      text: 'Have you been told whether and when to stop them?',
      required: true,
      enableWhen: [{ question: 'anticoagulants', operator: '=', answerBoolean: true }],
    },
    yesNo('anaesthesia-problems', 'Have you or a blood relative ever had problems with an anaesthetic?', {
      required: true,
    }),
    {
      linkId: 'anaesthesia-details',
      type: 'text',
      text: 'What happened?',
      maxLength: 1000,
      required: true,
      enableWhen: [{ question: 'anaesthesia-problems', operator: '=', answerBoolean: true }],
    },
    yesNo('escort', 'Will someone take you home and stay with you the first night?', { required: true }),
    {
      linkId: 'no-escort',
      type: 'display',
      text: 'Please tell your clinician: most day procedures need someone with you for the first night.',
      enableWhen: [
        { question: 'escort', operator: '!=', answerBoolean: true },
        { question: 'escort', operator: 'exists', answerBoolean: true },
      ],
      enableBehavior: 'all',
    },
    { linkId: 'height', type: 'decimal', text: 'Height in cm' },
    { linkId: 'weight', type: 'decimal', text: 'Weight in kg' },
    { linkId: 'questions', type: 'text', text: 'Anything you would like to ask?', maxLength: 1000 },
  ],
}

export const SHIPPED_QUESTIONNAIRES: Record<ScreeningId, ShippedQuestionnaire> = {
  intake: {
    id: 'intake',
    label: 'General pre-visit intake',
    questionnaire: intake,
    licence: 'CC0 1.0 (written for this project)',
    source: 'XR Consult',
  },
  phq9: {
    id: 'phq9',
    label: 'PHQ-9 (depression)',
    questionnaire: phq9,
    licence:
      'Public domain: "No permission required to reproduce, translate, display or distribute" (Pfizer)',
    source:
      'Kroenke K, Spitzer RL, Williams JBW. The PHQ-9. J Gen Intern Med 2001;16:606-613; wording and LOINC codes as in LOINC panel 44249-1',
  },
  preadmission: {
    id: 'preadmission',
    label: 'Pre-admission checklist',
    questionnaire: preadmission,
    licence: 'CC0 1.0 (written for this project)',
    source: 'XR Consult',
  },
}

export function isScreeningId(id: string): id is ScreeningId {
  return (SCREENING_IDS as readonly string[]).includes(id)
}

/** PHQ-9 severity bands (Kroenke et al. 2001): 5, 10, 15 and 20 are the cut-points. */
export const PHQ9_BANDS = [
  { from: 0, label: 'minimal' },
  { from: 5, label: 'mild' },
  { from: 10, label: 'moderate' },
  { from: 15, label: 'moderately severe' },
  { from: 20, label: 'severe' },
] as const

export type Phq9Band = (typeof PHQ9_BANDS)[number]['label']

export function phq9Band(score: number): Phq9Band {
  let band: Phq9Band = 'minimal'
  for (const b of PHQ9_BANDS) if (score >= b.from) band = b.label
  return band
}

/** The PHQ-9 score (0–27) and its band, once all nine are answered; and whether item 9 was answered above 0. */
export function phq9Result(answers: Answers): { score: number; band: Phq9Band; selfHarm: boolean } | null {
  const score = calculatedValues(phq9, answers)[PHQ9_SCORE_LINK]
  if (!score || !('valueInteger' in score)) return null
  const item9 = answers[PHQ9_ITEM9_LINK]
  const selfHarm = !!item9 && 'valueCoding' in item9 && (item9.valueCoding as Coding).code !== 'LA6568-5'
  return { score: score.valueInteger, band: phq9Band(score.valueInteger), selfHarm }
}
