// Screening and consent on screen, in the call's side panel (also while waiting to be let in): the patient answers
// the questionnaires their invite asks for and agrees or declines to the record; the clinician sees the answers
// (PHQ-9 with its score and band) and the patient's answer about the record; everyone else is told what is kept
// and where. What is enabled, required or scored is decided by src/care/questionnaire.ts; this only draws it.
import type { QuestionnaireItem } from '@medplum/fhirtypes'
import { useState, useSyncExternalStore } from 'react'
import { keepsRecord } from '../call/recording'
import {
  type Answer,
  type Answers,
  answersOf,
  calculatedValues,
  enabledItems,
  missingRequired,
} from '../care/questionnaire'
import { isScreeningId, phq9Result, type ScreeningId, SHIPPED_QUESTIONNAIRES } from '../care/questionnaires'
import { asFhirResponse, RECORD_NOTICE, type ReceivedScreening, recordGate } from '../care/screening'
import { useCall } from '../state/call-store'
import { useRuntime } from './runtime-context'
import './screening.css'

/** The side panel's screening and consent section, for whoever this page is. */
export function ScreeningPanel() {
  const runtime = useRuntime()
  const { role } = runtime.invite
  if (role === 'patient') return <PatientScreening />
  return (
    <section className="screening" aria-label="Screening and record" data-testid="screening-panel">
      {keepsRecord(runtime.invite) ? <RecordStatus /> : <RecordNotice />}
      <ScreeningResults />
    </section>
  )
}

function useScreeningRevision() {
  const { screening } = useRuntime()
  return useSyncExternalStore(screening.subscribe, screening.revision)
}

/** What is kept and where, for everyone who is not asked (the worker, and the record's own keepers below it). */
function RecordNotice() {
  return (
    <details className="record-notice" data-testid="record-notice">
      <summary>What is kept of this call, and where</summary>
      <p>{RECORD_NOTICE.text}</p>
    </details>
  )
}

/** The clinician's view of the patient's answer: whether their browser keeps this call. */
function RecordStatus() {
  const { screening } = useRuntime()
  useScreeningRevision()
  const consent = screening.consent()
  // A string: the selector must not build a new object (zustand compares what it returns).
  const gate = useCall((s) => recordGate(consent, Object.values(s.participants)))
  const text = !consent
    ? gate === 'record'
      ? 'This browser keeps the record of this call (no patient is in it).'
      : 'The record of this call starts once the patient agrees to it (they are asked now).'
    : consent.decision === 'agreed'
      ? `${consent.patientName} agreed: this browser keeps the record of this call.`
      : `${consent.patientName} declined: nothing of this call is kept in this browser.`
  return (
    <>
      <p className="record-status" data-testid="record-consent" data-decision={consent?.decision ?? 'none'}>
        {text}
      </p>
      <RecordNotice />
    </>
  )
}

/** The answers received, the newest per questionnaire: PHQ-9's score first, then each answer. */
function ScreeningResults() {
  const { screening } = useRuntime()
  useScreeningRevision()
  const results = screening.latestScreenings()
  if (!results.length) return null
  return (
    <div className="screening-results">
      <h2>Screening answers</h2>
      {results.map((result) => (
        <ScreeningResult key={result.id} result={result} />
      ))}
    </div>
  )
}

function answerText(item: QuestionnaireItem | undefined, answer: Answer): string {
  if ('valueBoolean' in answer) return answer.valueBoolean ? 'Yes' : 'No'
  if ('valueCoding' in answer) {
    const option = item?.answerOption?.find((o) => o.valueCoding?.code === answer.valueCoding.code)
    return option?.valueCoding?.display ?? answer.valueCoding.display ?? answer.valueCoding.code ?? ''
  }
  if ('valueInteger' in answer) return String(answer.valueInteger)
  if ('valueDecimal' in answer) return String(answer.valueDecimal)
  if ('valueDate' in answer) return answer.valueDate
  return answer.valueString
}

function ScreeningResult({ result }: { result: ReceivedScreening }) {
  const shipped = SHIPPED_QUESTIONNAIRES[result.questionnaire]
  const answers = answersOf(asFhirResponse(result.response))
  const phq9 = result.questionnaire === 'phq9' ? phq9Result(answers) : null
  const items = new Map(flat(shipped.questionnaire.item).map((item) => [item.linkId, item]))
  return (
    <article
      className="screening-result"
      data-testid="screening-result"
      data-questionnaire={result.questionnaire}
    >
      <h3>
        {shipped.label} <span className="from">from {result.patientName}</span>
      </h3>
      {phq9 && (
        <p
          className={`phq9 band-${phq9.band.replace(/ /g, '-')}`}
          data-testid="phq9-score"
          data-score={phq9.score}
        >
          PHQ-9 score <strong>{phq9.score}</strong> of 27: {phq9.band} depression symptoms.
        </p>
      )}
      {phq9?.selfHarm && (
        <p className="urgent" role="alert" data-testid="phq9-self-harm">
          Item 9 (thoughts of being better off dead or of self-harm) was answered above “Not at all”: ask
          about it today.
        </p>
      )}
      <details>
        <summary>All answers</summary>
        <dl>
          {Object.entries(answers).map(([linkId, answer]) => (
            <div key={linkId}>
              <dt>{items.get(linkId)?.text ?? linkId}</dt>
              <dd>{answerText(items.get(linkId), answer)}</dd>
            </div>
          ))}
        </dl>
      </details>
    </article>
  )
}

function flat(items: readonly QuestionnaireItem[] | undefined): QuestionnaireItem[] {
  return (items ?? []).flatMap((item) => [item, ...flat(item.item)])
}

/**
 * The patient: the consent question first, then each questionnaire the invite asks for. In the waiting room it is
 * a card over the (empty) scene, wide enough to read and answer; "Not now" puts it back in the side panel, where
 * it stays either way.
 */
function PatientScreening() {
  const runtime = useRuntime()
  const { screening } = runtime
  useScreeningRevision()
  const waiting = useCall((s) => s.waitingRoom)
  const [later, setLater] = useState(false)
  const ids = (runtime.invite.screening ?? []).filter(isScreeningId)
  // Over the scene only in the waiting room, where there is nothing else to see or do; in the call, the side
  // panel holds it (first), so nothing of the call is ever covered.
  const ask = waiting && !later
  // On a phone the side panel is a strip under the video: the question not yet answered is a card over the
  // scene there too (screening.css), until answered or put off.
  const unanswered = !screening.consent() && !later
  return (
    <section
      className={`screening${ask ? ' ask' : ''}${unanswered ? ' unanswered' : ''}`}
      aria-label="Before your consultation"
      data-testid="screening-panel"
    >
      {(ask || unanswered) && (
        <button
          type="button"
          className="not-now"
          onClick={() => setLater(true)}
          data-testid="screening-later"
        >
          Not now
        </button>
      )}
      <ConsentQuestion />
      {ids.map((id) => (
        <QuestionnaireForm key={id} id={id} />
      ))}
    </section>
  )
}

function ConsentQuestion() {
  const { screening } = useRuntime()
  useScreeningRevision()
  const [problem, setProblem] = useState<string | null>(null)
  const consent = screening.consent()
  const answer = (decision: 'agreed' | 'declined') => setProblem(screening.sendConsent(decision))
  return (
    <div className="consent" data-testid="consent" data-decision={consent?.decision ?? 'none'}>
      <h2>May the clinician keep a record of this call?</h2>
      <p>{RECORD_NOTICE.text}</p>
      {consent && (
        <p className="consent-answer" role="status" data-testid="consent-answer">
          {consent.decision === 'agreed'
            ? 'You agreed. You can change your mind: declining deletes what was kept.'
            : 'You declined: nothing of this call is kept.'}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          className={consent?.decision === 'agreed' ? '' : 'primary'}
          disabled={consent?.decision === 'agreed'}
          onClick={() => answer('agreed')}
          data-testid="consent-agree"
        >
          I agree
        </button>
        <button
          type="button"
          disabled={consent?.decision === 'declined'}
          onClick={() => answer('declined')}
          data-testid="consent-decline"
        >
          I decline
        </button>
      </div>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
    </div>
  )
}

/** One questionnaire as a form: enabled items only, required ones starred, sent as a QuestionnaireResponse. */
function QuestionnaireForm({ id }: { id: ScreeningId }) {
  const { screening } = useRuntime()
  const shipped = SHIPPED_QUESTIONNAIRES[id]
  const { questionnaire } = shipped
  const [answers, setAnswers] = useState<Record<string, Answer | undefined>>({})
  const [tried, setTried] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  const [sent, setSent] = useState(false)
  const [open, setOpen] = useState(true)
  const enabled = enabledItems(questionnaire, answers)
  const missing = new Set(tried ? missingRequired(questionnaire, answers) : [])
  const calculated = calculatedValues(questionnaire, answers)
  const set = (linkId: string, answer: Answer | undefined) => {
    setAnswers((now) => ({ ...now, [linkId]: answer }))
    setSent(false)
    // The sentence was about the answers before this one; the marks stay until the next try to send.
    setProblem(null)
  }
  const send = () => {
    setTried(true)
    const left = missingRequired(questionnaire, answers)
    if (left.length) {
      setProblem(
        `Please answer the ${left.length === 1 ? 'question' : `${left.length} questions`} marked as needed.`,
      )
      return
    }
    const reason = screening.sendScreening(id, answers)
    setProblem(reason)
    if (!reason) {
      setSent(true)
      setOpen(false)
    }
  }
  const view: ItemView = { enabled, answers, missing, calculated, set, formId: id }
  return (
    <details
      className="questionnaire"
      open={open}
      onToggle={(event) => setOpen(event.currentTarget.open)}
      data-testid={`questionnaire-${id}`}
    >
      <summary>
        {questionnaire.title}
        {sent && (
          <span className="sent" data-testid={`questionnaire-sent-${id}`}>
            {' '}
            · sent to the clinician
          </span>
        )}
      </summary>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault()
          send()
        }}
      >
        {(questionnaire.item ?? []).map((item) => (
          <QuestionnaireField key={item.linkId} item={item} view={view} />
        ))}
        <p className="fine">
          <span aria-hidden="true">*</span> needed. {questionnaire.copyright}
        </p>
        {problem && (
          <p className="error" role="alert" data-testid={`questionnaire-problem-${id}`}>
            {problem}
          </p>
        )}
        <button type="submit" className="primary" data-testid={`questionnaire-send-${id}`}>
          {sent ? 'Send again' : 'Send my answers'}
        </button>
      </form>
    </details>
  )
}

interface ItemView {
  enabled: Set<string>
  answers: Answers
  missing: Set<string>
  calculated: Answers
  set: (linkId: string, answer: Answer | undefined) => void
  formId: string
}

function QuestionnaireField({ item, view }: { item: QuestionnaireItem; view: ItemView }) {
  if (!view.enabled.has(item.linkId)) return null
  const fieldId = `${view.formId}-${item.linkId}`
  const invalid = view.missing.has(item.linkId)
  const label = (
    <>
      {item.text}
      {item.required && <span aria-hidden="true"> *</span>}
    </>
  )
  const answer = view.answers[item.linkId]
  const common = { 'aria-invalid': invalid || undefined, 'aria-required': item.required || undefined }
  switch (item.type) {
    case 'group':
      return (
        <fieldset className="q-group" data-testid={`q-${item.linkId}`}>
          {item.text && <legend>{item.text}</legend>}
          {(item.item ?? []).map((child) => (
            <QuestionnaireField key={child.linkId} item={child} view={view} />
          ))}
        </fieldset>
      )
    case 'display':
      return (
        <p className="q-display" data-testid={`q-${item.linkId}`}>
          {item.text}
        </p>
      )
    case 'boolean':
    case 'choice': {
      const options =
        item.type === 'boolean'
          ? [
              { key: 'yes', label: 'Yes', answer: { valueBoolean: true } as Answer },
              { key: 'no', label: 'No', answer: { valueBoolean: false } as Answer },
            ]
          : (item.answerOption ?? []).flatMap((o) =>
              o.valueCoding
                ? [
                    {
                      key: o.valueCoding.code ?? '',
                      label: o.valueCoding.display ?? o.valueCoding.code ?? '',
                      // Only what identifies the option goes on the wire (not its score extension).
                      answer: {
                        valueCoding: {
                          system: o.valueCoding.system ?? '',
                          code: o.valueCoding.code ?? '',
                          // FHIR strings are never empty: no display rather than an empty one.
                          ...(o.valueCoding.display ? { display: o.valueCoding.display } : {}),
                        },
                      } as Answer,
                    },
                  ]
                : [],
            )
      const chosen = answer ? JSON.stringify(answer) : ''
      return (
        <fieldset
          className={`q-field q-choice${invalid ? ' invalid' : ''}`}
          data-testid={`q-${item.linkId}`}
          {...common}
        >
          <legend className={invalid ? 'needed' : undefined}>{label}</legend>
          {options.map((option) => (
            <label key={option.key}>
              <input
                type="radio"
                name={fieldId}
                checked={chosen === JSON.stringify(option.answer)}
                onChange={() => view.set(item.linkId, option.answer)}
                data-testid={`q-${item.linkId}-${option.key}`}
              />{' '}
              {option.label}
            </label>
          ))}
        </fieldset>
      )
    }
    case 'integer':
    case 'decimal': {
      if (item.readOnly) {
        const value = view.calculated[item.linkId]
        return (
          <p className="q-calculated" data-testid={`q-${item.linkId}`}>
            {item.text}: <strong>{value && 'valueInteger' in value ? value.valueInteger : '—'}</strong>
          </p>
        )
      }
      const value =
        answer && 'valueInteger' in answer
          ? answer.valueInteger
          : answer && 'valueDecimal' in answer
            ? answer.valueDecimal
            : ''
      return (
        <div className={`q-field${invalid ? ' invalid' : ''}`}>
          <label htmlFor={fieldId} className={invalid ? 'needed' : undefined}>
            {label}
          </label>
          <input
            id={fieldId}
            type="number"
            inputMode={item.type === 'integer' ? 'numeric' : 'decimal'}
            step={item.type === 'integer' ? 1 : 'any'}
            value={value}
            onChange={(event) => {
              const n = event.currentTarget.valueAsNumber
              if (!Number.isFinite(n)) view.set(item.linkId, undefined)
              else if (item.type === 'integer')
                view.set(item.linkId, Number.isInteger(n) ? { valueInteger: n } : undefined)
              else view.set(item.linkId, { valueDecimal: n })
            }}
            data-testid={`q-${item.linkId}`}
            {...common}
          />
        </div>
      )
    }
    case 'date':
      return (
        <div className={`q-field${invalid ? ' invalid' : ''}`}>
          <label htmlFor={fieldId} className={invalid ? 'needed' : undefined}>
            {label}
          </label>
          <input
            id={fieldId}
            type="date"
            value={answer && 'valueDate' in answer ? answer.valueDate : ''}
            onChange={(event) => {
              const text = event.currentTarget.value
              view.set(item.linkId, text ? { valueDate: text } : undefined)
            }}
            data-testid={`q-${item.linkId}`}
            {...common}
          />
        </div>
      )
    case 'string':
    case 'text': {
      const value = answer && 'valueString' in answer ? answer.valueString : ''
      const onChange = (text: string) => view.set(item.linkId, text ? { valueString: text } : undefined)
      return (
        <div className={`q-field${invalid ? ' invalid' : ''}`}>
          <label htmlFor={fieldId} className={invalid ? 'needed' : undefined}>
            {label}
          </label>
          {item.type === 'text' ? (
            <textarea
              id={fieldId}
              rows={3}
              maxLength={item.maxLength}
              value={value}
              onChange={(event) => onChange(event.currentTarget.value)}
              data-testid={`q-${item.linkId}`}
              {...common}
            />
          ) : (
            <input
              id={fieldId}
              type="text"
              maxLength={item.maxLength}
              value={value}
              onChange={(event) => onChange(event.currentTarget.value)}
              data-testid={`q-${item.linkId}`}
              {...common}
            />
          )}
        </div>
      )
    }
    default:
      return null
  }
}
