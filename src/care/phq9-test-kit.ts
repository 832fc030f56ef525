// PHQ-9 answers for tests: the nine item codes (LOINC, in the questionnaire's order) and the four frequency answers
// (LOINC answer list LL358-3, scored 0–3), so a test states a score per item rather than codes.
import type { Answer } from './questionnaire'

export const PHQ9_CODES = [
  '44250-9',
  '44255-8',
  '44259-0',
  '44254-1',
  '44251-7',
  '44258-2',
  '44252-5',
  '44253-3',
  '44260-8',
] as const

/** Not at all, several days, more than half the days, nearly every day: scores 0–3. */
export const PHQ9_FREQUENCY = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'] as const

/** The answer scoring `score` (0–3). */
export function frequencyAnswer(score: number): Answer {
  return { valueCoding: { system: 'http://loinc.org', code: PHQ9_FREQUENCY[score] ?? PHQ9_FREQUENCY[0] } }
}

/** PHQ-9 answers: item i scores `scores[i]` (missing items score 0), or every item `scores` when a number. */
export function phq9Answers(scores: readonly number[] | number): Record<string, Answer> {
  return Object.fromEntries(
    PHQ9_CODES.map((code, i) => [
      code,
      frequencyAnswer(typeof scores === 'number' ? scores : (scores[i] ?? 0)),
    ]),
  )
}
