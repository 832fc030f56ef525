// Issue 12: the escalation of one vital's alarm, visible and editable for this patient: the priority just outside
// each limit and the thresholds at which it rises. The board validates (each step must raise the priority, every
// threshold a number) and logs the change; this form only collects numbers and shows the board's sentence.
import { type FormEvent, useState } from 'react'
import {
  ALARM_PRIORITIES,
  type AlarmBoard,
  type AlarmPriority,
  type Escalation,
  type SideRule,
  validatePriorityRule,
} from '../vitals/alarms'
import { VITALS, type VitalKind } from '../vitals/types'

const SIDES = ['low', 'high'] as const
type Side = (typeof SIDES)[number]

/** What the form holds for one side: the priority at the limit, and each step's threshold as typed. */
interface SideDraft {
  atLimit: AlarmPriority
  thresholds: string[]
}

function draftOf(rule: SideRule): SideDraft {
  return {
    atLimit: rule.atLimit,
    thresholds: rule.further.map((step) =>
      String(typeof step.beyond === 'number' ? step.beyond : step.beyond.fromLimit),
    ),
  }
}

/** The draft back as a rule: each step keeps its priority and its kind of threshold (a value or a distance). */
function ruleOf(draft: SideDraft, current: SideRule): SideRule | string {
  const further: Escalation[] = []
  for (const [i, step] of current.further.entries()) {
    const text = (draft.thresholds[i] ?? '').trim()
    const value = text === '' ? Number.NaN : Number(text)
    if (!Number.isFinite(value)) return 'Every escalation threshold must be a number.'
    further.push({
      priority: step.priority,
      beyond: typeof step.beyond === 'number' ? value : { fromLimit: value },
    })
  }
  return { atLimit: draft.atLimit, further }
}

export function EscalationEditor({
  board,
  kind,
  onChange,
}: {
  board: AlarmBoard
  kind: VitalKind
  /** Told after the board took a change, so the summary beside the limits shows it. */
  onChange: () => void
}) {
  const rules = board.settings.priorities[kind]
  const [drafts, setDrafts] = useState<Record<Side, SideDraft>>(() => ({
    low: draftOf(rules.low),
    high: draftOf(rules.high),
  }))
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null)
  const unit = VITALS[kind].unitLabel

  const update = (side: Side, next: Partial<SideDraft>) =>
    setDrafts((all) => ({ ...all, [side]: { ...all[side], ...next } }))

  const submit = (event: FormEvent) => {
    event.preventDefault()
    // Both sides are checked before either is applied, so a half-valid form changes nothing.
    const next: Partial<Record<Side, SideRule>> = {}
    for (const side of SIDES) {
      const rule = ruleOf(drafts[side], rules[side])
      if (typeof rule === 'string') {
        setMessage({ text: rule, error: true })
        return
      }
      const error = validatePriorityRule(kind, side, rule)
      if (error !== null) {
        setMessage({ text: error, error: true })
        return
      }
      next[side] = rule
    }
    const now = Date.now()
    for (const side of SIDES) {
      const rule = next[side]
      if (!rule) continue
      const result = board.setPriorityRule(kind, side, rule, now)
      if (!result.ok) {
        setMessage({ text: result.error, error: true })
        return
      }
    }
    setMessage({ text: `${VITALS[kind].label} escalation set.`, error: false })
    onChange()
  }

  return (
    <form className="escalation" onSubmit={submit} aria-label={`${VITALS[kind].label} escalation`}>
      {SIDES.map((side) => (
        <fieldset key={side} data-testid={`escalation-${side}`}>
          <legend>{side === 'low' ? 'Below the low limit' : 'Above the high limit'}</legend>
          <label>
            At the limit{' '}
            <select
              value={drafts[side].atLimit}
              onChange={(e) => update(side, { atLimit: e.target.value as AlarmPriority })}
              data-testid={`escalation-${side}-at-limit`}
            >
              {ALARM_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          {rules[side].further.map((step, i) => (
            <label key={`${step.priority}-${typeof step.beyond === 'number' ? 'value' : 'distance'}`}>
              {step.priority}{' '}
              {typeof step.beyond === 'number' ? `${side === 'low' ? 'below' : 'above'}` : 'at'}{' '}
              <input
                value={drafts[side].thresholds[i] ?? ''}
                onChange={(e) => {
                  const thresholds = [...drafts[side].thresholds]
                  thresholds[i] = e.target.value
                  update(side, { thresholds })
                }}
                inputMode="decimal"
                size={5}
                data-testid={`escalation-${side}-${i}`}
              />{' '}
              {unit}
              {typeof step.beyond === 'number' ? '' : ' beyond the limit'}
            </label>
          ))}
        </fieldset>
      ))}
      <button type="submit" data-testid="escalation-set">
        Set escalation
      </button>
      {message && (
        <p className={message.error ? 'error' : 'hint'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </form>
  )
}
