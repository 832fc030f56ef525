// A small FHIR R4 Questionnaire engine for the screening before a call: which items are enabled (enableWhen with
// its seven operators and enableBehavior), which required ones are still unanswered, the one calculated item kind
// the shipped questionnaires use (a sum of the answers' ordinal values: PHQ-9's total score), and the
// QuestionnaireResponse the answers make. Pure: the React form (src/app/screening.tsx) only draws what this says.
// Only the item types the shipped questionnaires need are handled (group, display, string, text, boolean, choice,
// integer, decimal, date), one answer per item (none repeats).
import type {
  Coding,
  Questionnaire,
  QuestionnaireItem,
  QuestionnaireItemEnableWhen,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
} from '@medplum/fhirtypes'

/** One item's answer, as FHIR's answer[x] holds it. */
export type Answer =
  | { valueBoolean: boolean }
  | { valueString: string }
  | { valueInteger: number }
  | { valueDecimal: number }
  | { valueDate: string }
  | { valueCoding: Coding }

/** The answers given so far, by linkId. */
export type Answers = Readonly<Record<string, Answer | undefined>>

/** The extension that gives an answer option its score (R4 core). */
export const ORDINAL_VALUE = 'http://hl7.org/fhir/StructureDefinition/ordinalValue'
/** SDC's calculated expression: the shipped questionnaires use it only for a sum of ordinal values. */
export const CALCULATED_EXPRESSION =
  'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression'

/** Every item, depth first, with its parent chain (outermost first). */
export function flatItems(
  items: readonly QuestionnaireItem[] | undefined,
  parents: readonly QuestionnaireItem[] = [],
): Array<{ item: QuestionnaireItem; parents: readonly QuestionnaireItem[] }> {
  return (items ?? []).flatMap((item) => [{ item, parents }, ...flatItems(item.item, [...parents, item])])
}

function itemIndex(questionnaire: Questionnaire): Map<string, QuestionnaireItem> {
  return new Map(flatItems(questionnaire.item).map(({ item }) => [item.linkId, item]))
}

/** The comparable value of an answer: a coding by system|code, a date as its text (ISO sorts as it reads). */
function comparable(answer: Answer): string | number | boolean {
  if ('valueCoding' in answer) return `${answer.valueCoding.system ?? ''}|${answer.valueCoding.code ?? ''}`
  if ('valueBoolean' in answer) return answer.valueBoolean
  if ('valueInteger' in answer) return answer.valueInteger
  if ('valueDecimal' in answer) return answer.valueDecimal
  if ('valueDate' in answer) return answer.valueDate
  return answer.valueString
}

function expectedOf(condition: QuestionnaireItemEnableWhen): string | number | boolean | undefined {
  const c = condition
  if (c.answerCoding) return `${c.answerCoding.system ?? ''}|${c.answerCoding.code ?? ''}`
  return c.answerBoolean ?? c.answerInteger ?? c.answerDecimal ?? c.answerDate ?? c.answerString
}

/**
 * One enableWhen condition against the referenced question's answer (undefined: unanswered, or the question is
 * disabled, which FHIR says counts as unanswered). As R4 defines the operators: `exists` compares whether there is
 * an answer with answerBoolean; `=` and the orderings need an answer that meets them; `!=` holds when no answer
 * equals the value, so an unanswered question satisfies it.
 */
export function conditionHolds(condition: QuestionnaireItemEnableWhen, answer: Answer | undefined): boolean {
  if (condition.operator === 'exists') return (answer !== undefined) === (condition.answerBoolean === true)
  const expected = expectedOf(condition)
  if (answer === undefined) return condition.operator === '!='
  const actual = comparable(answer)
  switch (condition.operator) {
    case '=':
      return actual === expected
    case '!=':
      return actual !== expected
    case '>':
    case '<':
    case '>=':
    case '<=': {
      // Orderings apply to numbers, dates and strings of the same kind; anything else never matches.
      if (expected === undefined || typeof actual !== typeof expected || typeof actual === 'boolean')
        return false
      const a = actual as number | string
      const e = expected as number | string
      if (condition.operator === '>') return a > e
      if (condition.operator === '<') return a < e
      if (condition.operator === '>=') return a >= e
      return a <= e
    }
    default:
      return false
  }
}

/**
 * Which items are enabled now, by linkId. An item is enabled when its parent is and its enableWhen holds (all of
 * them, or any with enableBehavior `any`; R4 requires enableBehavior once there is more than one). A question
 * whose item is disabled counts as unanswered for the items that depend on it, so this iterates until nothing
 * changes (each round can only disable more, so it ends within the number of items).
 */
export function enabledItems(questionnaire: Questionnaire, answers: Answers): Set<string> {
  const all = flatItems(questionnaire.item)
  const calculatedAnswers = { ...answers, ...calculatedValues(questionnaire, answers) }
  let enabled = new Set(all.map(({ item }) => item.linkId))
  for (let round = 0; round <= all.length; round++) {
    const next = new Set<string>()
    for (const { item, parents } of all) {
      if (!parents.every((parent) => next.has(parent.linkId))) continue
      const conditions = item.enableWhen ?? []
      const results = conditions.map((condition) =>
        conditionHolds(
          condition,
          enabled.has(condition.question) ? calculatedAnswers[condition.question] : undefined,
        ),
      )
      const holds =
        results.length === 0 ||
        (item.enableBehavior === 'any' ? results.some(Boolean) : results.every(Boolean))
      if (holds) next.add(item.linkId)
    }
    if (next.size === enabled.size && [...next].every((id) => enabled.has(id))) return next
    enabled = next
  }
  return enabled
}

/** Whether an answer says something (an empty or blank text is no answer). */
export function isAnswered(answer: Answer | undefined): answer is Answer {
  if (answer === undefined) return false
  if ('valueString' in answer) return answer.valueString.trim() !== ''
  if ('valueDate' in answer) return answer.valueDate !== ''
  if ('valueInteger' in answer) return Number.isInteger(answer.valueInteger)
  if ('valueDecimal' in answer) return Number.isFinite(answer.valueDecimal)
  return true
}

/**
 * The required items still unanswered, by linkId, in questionnaire order. As FHIR defines `required`: only an
 * enabled item must be answered (a disabled one is not asked at all); a required group needs at least one answered
 * item within it; display items and calculated ones are never asked of the person.
 */
export function missingRequired(questionnaire: Questionnaire, answers: Answers): string[] {
  const enabled = enabledItems(questionnaire, answers)
  const answeredWithin = (item: QuestionnaireItem): boolean =>
    (item.item ?? []).some(
      (child) =>
        enabled.has(child.linkId) &&
        (child.type === 'group' ? answeredWithin(child) : isAnswered(answers[child.linkId])),
    )
  return flatItems(questionnaire.item)
    .filter(
      ({ item }) => item.required && enabled.has(item.linkId) && item.type !== 'display' && !item.readOnly,
    )
    .filter(({ item }) => (item.type === 'group' ? !answeredWithin(item) : !isAnswered(answers[item.linkId])))
    .map(({ item }) => item.linkId)
}

/** The ordinal value (score) of a chosen answer option, if the questionnaire gives one. */
export function ordinalOf(item: QuestionnaireItem, answer: Answer | undefined): number | undefined {
  if (!answer || !('valueCoding' in answer)) return undefined
  const option = item.answerOption?.find(
    (o) =>
      o.valueCoding?.code === answer.valueCoding.code && o.valueCoding?.system === answer.valueCoding.system,
  )
  const value = option?.valueCoding?.extension?.find((e) => e.url === ORDINAL_VALUE)?.valueDecimal
  return value
}

/**
 * The calculated items' values: each readOnly integer item with a calculated expression is the sum of the ordinal
 * values of the answered choice items within the item's parent (for PHQ-9, the nine questions; the difficulty
 * question has no ordinal values and does not count). Undefined until every scored question in that scope is
 * answered: a partial sum would read as a lower score.
 */
export function calculatedValues(questionnaire: Questionnaire, answers: Answers): Record<string, Answer> {
  const result: Record<string, Answer> = {}
  const walk = (items: readonly QuestionnaireItem[] | undefined) => {
    for (const item of items ?? []) {
      const calculated = item.extension?.some((e) => e.url === CALCULATED_EXPRESSION)
      if (calculated && item.readOnly && item.type === 'integer') {
        const scored = (items ?? []).filter((sibling) =>
          sibling.answerOption?.some((o) => o.valueCoding?.extension?.some((e) => e.url === ORDINAL_VALUE)),
        )
        const values = scored.map((sibling) => ordinalOf(sibling, answers[sibling.linkId]))
        if (values.every((v) => v !== undefined))
          result[item.linkId] = { valueInteger: values.reduce((sum, v) => sum + (v ?? 0), 0) }
      }
      walk(item.item)
    }
  }
  walk(questionnaire.item)
  return result
}

/** The canonical reference to a shipped questionnaire: its url and version. */
export function canonicalOf(questionnaire: Questionnaire): string {
  return `${questionnaire.url ?? ''}${questionnaire.version ? `|${questionnaire.version}` : ''}`
}

/**
 * The answers as a QuestionnaireResponse: only enabled items with an answer (a disabled item's leftover answer
 * is not part of the response), groups kept as groups when something within them is answered, display items left
 * out, calculated items with their value. `completed` when nothing required is missing.
 */
export function toResponse(
  questionnaire: Questionnaire,
  answers: Answers,
  authored: string,
): QuestionnaireResponse {
  const enabled = enabledItems(questionnaire, answers)
  const all = { ...answers, ...calculatedValues(questionnaire, answers) }
  const build = (items: readonly QuestionnaireItem[] | undefined): QuestionnaireResponseItem[] =>
    (items ?? []).flatMap((item): QuestionnaireResponseItem[] => {
      if (!enabled.has(item.linkId) || item.type === 'display') return []
      if (item.type === 'group') {
        const inner = build(item.item)
        return inner.length ? [{ linkId: item.linkId, text: item.text, item: inner }] : []
      }
      const answer = all[item.linkId]
      if (!isAnswered(answer)) return []
      return [{ linkId: item.linkId, text: item.text, answer: [trimmed(answer)] }]
    })
  return {
    resourceType: 'QuestionnaireResponse',
    questionnaire: canonicalOf(questionnaire),
    status: missingRequired(questionnaire, answers).length ? 'in-progress' : 'completed',
    authored,
    item: build(questionnaire.item),
  }
}

function trimmed(answer: Answer): Answer {
  return 'valueString' in answer ? { valueString: answer.valueString.trim() } : answer
}

/** The answers a response holds, by linkId (the reverse of toResponse, for checking one that was received). */
export function answersOf(response: QuestionnaireResponse): Record<string, Answer> {
  const result: Record<string, Answer> = {}
  const walk = (items: readonly QuestionnaireResponseItem[] | undefined) => {
    for (const item of items ?? []) {
      const [answer] = item.answer ?? []
      if (answer) result[item.linkId] = answer as Answer
      walk(item.item)
    }
  }
  walk(response.item)
  return result
}

/** The answer a shown item takes, or null if the value does not fit the item (a wrong type, an unknown option). */
export function answerFits(item: QuestionnaireItem, answer: Answer): boolean {
  switch (item.type) {
    case 'boolean':
      return 'valueBoolean' in answer
    case 'string':
    case 'text':
      return 'valueString' in answer && answer.valueString.length <= (item.maxLength ?? 4000)
    case 'integer':
      return 'valueInteger' in answer && Number.isInteger(answer.valueInteger)
    case 'decimal':
      return 'valueDecimal' in answer && Number.isFinite(answer.valueDecimal)
    case 'date':
      return 'valueDate' in answer && /^\d{4}-\d{2}-\d{2}$/.test(answer.valueDate)
    case 'choice':
      return (
        'valueCoding' in answer &&
        (item.answerOption ?? []).some(
          (o) =>
            o.valueCoding?.code === answer.valueCoding.code &&
            o.valueCoding?.system === answer.valueCoding.system,
        )
      )
    default:
      return false
  }
}

/**
 * Checks a received response against the questionnaire it claims to answer: every item is one of its questions
 * (enabled, answerable, a value of the right type), every required one is answered, and a calculated value is
 * what the answers give. Returns the answers, or a reason. A receiver recomputes scores instead of trusting them.
 */
export function checkResponse(
  questionnaire: Questionnaire,
  response: QuestionnaireResponse,
): { ok: true; answers: Record<string, Answer> } | { ok: false; reason: string } {
  if (response.questionnaire !== canonicalOf(questionnaire))
    return { ok: false, reason: 'another questionnaire' }
  const index = itemIndex(questionnaire)
  const answers = answersOf(response)
  const enabled = enabledItems(questionnaire, answers)
  const calculated = calculatedValues(questionnaire, answers)
  for (const [linkId, answer] of Object.entries(answers)) {
    const item = index.get(linkId)
    if (!item || item.type === 'group' || item.type === 'display')
      return { ok: false, reason: `item ${linkId}` }
    if (!enabled.has(linkId)) return { ok: false, reason: `disabled item ${linkId}` }
    if (!answerFits(item, answer)) return { ok: false, reason: `answer to ${linkId}` }
    if (item.readOnly && JSON.stringify(calculated[linkId]) !== JSON.stringify(answer))
      return { ok: false, reason: `calculated ${linkId}` }
  }
  const missing = missingRequired(questionnaire, answers)
  if (response.status === 'completed' && missing.length) return { ok: false, reason: `missing ${missing[0]}` }
  return { ok: true, answers }
}
