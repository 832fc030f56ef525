// enableWhen, required and the PHQ-9 score over the questionnaires the app ships, as FHIR R4 defines them.
import { describe, expect, it } from 'vitest'
import { PHQ9_CODES, phq9Answers } from './phq9-test-kit'
import {
  type Answers,
  checkResponse,
  conditionHolds,
  enabledItems,
  missingRequired,
  toResponse,
} from './questionnaire'
import {
  PHQ9_ITEM9_LINK,
  PHQ9_SCORE_LINK,
  phq9Band,
  phq9Result,
  SHIPPED_QUESTIONNAIRES,
} from './questionnaires'

const { intake, phq9, preadmission } = SHIPPED_QUESTIONNAIRES

describe('enableWhen operators', () => {
  const q = (operator: '=' | '!=' | '>' | '<' | '>=' | '<=' | 'exists', extra: object) => ({
    question: 'x',
    operator,
    ...extra,
  })
  it('exists compares whether there is an answer with answerBoolean', () => {
    expect(conditionHolds(q('exists', { answerBoolean: true }), undefined)).toBe(false)
    expect(conditionHolds(q('exists', { answerBoolean: true }), { valueInteger: 0 })).toBe(true)
    expect(conditionHolds(q('exists', { answerBoolean: false }), undefined)).toBe(true)
    expect(conditionHolds(q('exists', { answerBoolean: false }), { valueBoolean: false })).toBe(false)
  })
  it('= needs an equal answer; != holds when no answer equals the value, an unanswered question included', () => {
    expect(conditionHolds(q('=', { answerBoolean: true }), { valueBoolean: true })).toBe(true)
    expect(conditionHolds(q('=', { answerBoolean: true }), undefined)).toBe(false)
    expect(conditionHolds(q('!=', { answerBoolean: true }), { valueBoolean: false })).toBe(true)
    expect(conditionHolds(q('!=', { answerBoolean: true }), undefined)).toBe(true)
    expect(
      conditionHolds(q('=', { answerCoding: { system: 's', code: 'a' } }), {
        valueCoding: { system: 's', code: 'a' },
      }),
    ).toBe(true)
    expect(
      conditionHolds(q('=', { answerCoding: { system: 's', code: 'a' } }), {
        valueCoding: { system: 't', code: 'a' },
      }),
    ).toBe(false)
  })
  it('orders numbers and dates, and never holds without an answer', () => {
    expect(conditionHolds(q('>', { answerInteger: 0 }), { valueInteger: 1 })).toBe(true)
    expect(conditionHolds(q('>', { answerInteger: 0 }), { valueInteger: 0 })).toBe(false)
    expect(conditionHolds(q('>=', { answerInteger: 7 }), { valueInteger: 7 })).toBe(true)
    expect(conditionHolds(q('<', { answerDecimal: 36.5 }), { valueDecimal: 35.9 })).toBe(true)
    expect(conditionHolds(q('<=', { answerDate: '2027-01-01' }), { valueDate: '2026-12-31' })).toBe(true)
    expect(conditionHolds(q('<', { answerInteger: 3 }), undefined)).toBe(false)
    // A boolean has no order.
    expect(conditionHolds(q('>', { answerBoolean: false }), { valueBoolean: true })).toBe(false)
  })
})

describe('the general intake', () => {
  it('asks for the pain score only when in pain, and shows the severe-pain note from 7', () => {
    const none: Answers = {}
    expect(enabledItems(intake.questionnaire, none).has('pain-score')).toBe(false)
    const inPain = { pain: { valueBoolean: true } }
    expect(enabledItems(intake.questionnaire, inPain).has('pain-score')).toBe(true)
    expect(enabledItems(intake.questionnaire, inPain).has('pain-severe')).toBe(false)
    expect(
      enabledItems(intake.questionnaire, { ...inPain, 'pain-score': { valueInteger: 7 } }).has('pain-severe'),
    ).toBe(true)
    // Not in pain any more: the score is disabled, so the note that depends on it goes too (its answer counts as
    // none, even though one is still held).
    const after = { pain: { valueBoolean: false }, 'pain-score': { valueInteger: 9 } }
    expect(enabledItems(intake.questionnaire, after).has('pain-severe')).toBe(false)
  })
  it('requires only enabled items: a required question behind enableWhen is not missing while disabled', () => {
    expect(missingRequired(intake.questionnaire, {})).toEqual(['reason', 'pain', 'takes-medication'])
    const answers: Answers = {
      reason: { valueString: 'Cough' },
      pain: { valueBoolean: true },
      'takes-medication': { valueBoolean: true },
    }
    expect(missingRequired(intake.questionnaire, answers)).toEqual(['pain-score', 'medication-list'])
    // A blank text is no answer.
    expect(missingRequired(intake.questionnaire, { ...answers, reason: { valueString: '  ' } })).toContain(
      'reason',
    )
  })
  it('leaves a disabled item’s leftover answer out of the response', () => {
    const answers: Answers = {
      reason: { valueString: ' Cough ' },
      pain: { valueBoolean: false },
      'pain-score': { valueInteger: 8 },
      'takes-medication': { valueBoolean: false },
    }
    const response = toResponse(intake.questionnaire, answers, '2027-05-03T10:00:00Z')
    expect(response.status).toBe('completed')
    expect(JSON.stringify(response)).not.toContain('pain-score')
    expect(response.item?.[0]).toMatchObject({ linkId: 'reason', answer: [{ valueString: 'Cough' }] })
    expect(response.item?.find((i) => i.linkId === 'medication')?.item?.[0]).toMatchObject({
      linkId: 'takes-medication',
    })
    expect(checkResponse(intake.questionnaire, response)).toMatchObject({ ok: true })
  })
})

describe('the pre-admission checklist', () => {
  it('shows the escort note only for an answered no (!= with exists, enableBehavior all)', () => {
    const enabled = (answers: Answers) => enabledItems(preadmission.questionnaire, answers).has('no-escort')
    expect(enabled({})).toBe(false)
    expect(enabled({ escort: { valueBoolean: true } })).toBe(false)
    expect(enabled({ escort: { valueBoolean: false } })).toBe(true)
  })
  it('needs the anaesthesia details only after a yes', () => {
    const base: Answers = {
      'admission-date': { valueDate: '2027-06-01' },
      'fasting-told': { valueBoolean: true },
      anticoagulants: { valueBoolean: false },
      escort: { valueBoolean: true },
    }
    expect(
      missingRequired(preadmission.questionnaire, {
        ...base,
        'anaesthesia-problems': { valueBoolean: false },
      }),
    ).toEqual([])
    expect(
      missingRequired(preadmission.questionnaire, {
        ...base,
        'anaesthesia-problems': { valueBoolean: true },
      }),
    ).toEqual(['anaesthesia-details'])
  })
})

describe('PHQ-9', () => {
  it('scores 0–27 as the sum of the nine answers, with its severity band', () => {
    expect(phq9Result(phq9Answers([0, 0, 0, 0, 0, 0, 0, 0, 0]))).toEqual({
      score: 0,
      band: 'minimal',
      selfHarm: false,
    })
    expect(phq9Result(phq9Answers([3, 3, 3, 3, 3, 3, 3, 3, 3]))).toEqual({
      score: 27,
      band: 'severe',
      selfHarm: true,
    })
    expect(phq9Result(phq9Answers([2, 2, 1, 2, 1, 1, 1, 0, 0]))?.score).toBe(10)
    expect([0, 4, 5, 9, 10, 14, 15, 19, 20, 27].map(phq9Band)).toEqual([
      'minimal',
      'minimal',
      'mild',
      'mild',
      'moderate',
      'moderate',
      'moderately severe',
      'moderately severe',
      'severe',
      'severe',
    ])
  })
  it('has no score until all nine are answered (a partial sum would read as lower), and flags item 9', () => {
    const partial = phq9Answers([3, 3, 3, 3, 3, 3, 3, 3])
    delete partial[PHQ9_ITEM9_LINK]
    expect(phq9Result(partial)).toBeNull()
    expect(phq9Result({ ...phq9Answers([0, 0, 0, 0, 0, 0, 0, 0, 1]) })?.selfHarm).toBe(true)
  })
  it('asks about difficulty only once a problem is checked (score > 0), and requires all nine', () => {
    const none = phq9Answers([0, 0, 0, 0, 0, 0, 0, 0, 0])
    expect(enabledItems(phq9.questionnaire, none).has('69722-7')).toBe(false)
    expect(enabledItems(phq9.questionnaire, phq9Answers([0, 1])).has('69722-7')).toBe(true)
    expect(missingRequired(phq9.questionnaire, {})).toEqual(PHQ9_CODES)
  })
  it('puts the score in the response, and a receiver refuses a score that is not the answers’ sum', () => {
    const response = toResponse(
      phq9.questionnaire,
      phq9Answers([1, 1, 1, 1, 1, 1, 1, 1, 1]),
      '2027-05-03T10:00:00Z',
    )
    const score = response.item?.[0]?.item?.find((i) => i.linkId === PHQ9_SCORE_LINK)
    expect(score?.answer).toEqual([{ valueInteger: 9 }])
    expect(checkResponse(phq9.questionnaire, response)).toMatchObject({ ok: true })
    const forged = structuredClone(response)
    const forgedScore = forged.item?.[0]?.item?.find((i) => i.linkId === PHQ9_SCORE_LINK)
    if (forgedScore) forgedScore.answer = [{ valueInteger: 2 }]
    expect(checkResponse(phq9.questionnaire, forged)).toMatchObject({ ok: false })
    // An answer that is not one of the options, and a completed response with a question missing, are refused.
    const unknown = structuredClone(response)
    const first = unknown.item?.[0]?.item?.[0]
    if (first) first.answer = [{ valueCoding: { system: 'http://loinc.org', code: 'LA0000-0' } }]
    expect(checkResponse(phq9.questionnaire, unknown)).toMatchObject({ ok: false })
    const missing = structuredClone(response)
    missing.item?.[0]?.item?.splice(0, 1)
    expect(checkResponse(phq9.questionnaire, missing)).toMatchObject({ ok: false })
  })
})
