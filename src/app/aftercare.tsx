// Aftercare on screen: the clinician's form (in the call's side panel), the plan as the patient reads it (in the
// call, and from their own copy on the join screen and in the lobby), printing it, and its calendar reminders.
import { lazy, Suspense, useState, useSyncExternalStore } from 'react'
import { type ReceivedPlan, type ReminderKind, reminderCalendar } from '../care/aftercare'
import { deletePlanCopy, loadPlanCopies, type PlanCopy } from '../care/patient-copy'
import { ownTimeZone } from '../care/zoned-time'
import { formatTime } from '../ui/time-text'
import { useRuntime } from './runtime-context'
import { saveFile } from './save-file'
import './care.css'

const AftercareFormFields = lazy(async () => ({
  default: (await import('./aftercare-form')).AftercareFormFields,
}))

const whenFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' })
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

const REMINDERS: { kind: ReminderKind; label: string }[] = [
  { kind: 'medications', label: 'Medication reminders (.ics)' },
  { kind: 'measurements', label: 'Measurement reminders (.ics)' },
  { kind: 'follow-up', label: 'Next appointment (.ics)' },
]

/** Prints only this plan: the print stylesheet (care.css) hides everything else while the class is on. */
function printPlan(element: HTMLElement | null) {
  if (!element) return
  element.classList.add('print-target')
  document.body.classList.add('printing-aftercare')
  const done = () => {
    element.classList.remove('print-target')
    document.body.classList.remove('printing-aftercare')
    removeEventListener('afterprint', done)
  }
  addEventListener('afterprint', done)
  window.print()
}

/** One plan as the patient reads it, with Print and the reminders. */
export function AftercarePlanView({ received, onDelete }: { received: ReceivedPlan; onDelete?: () => void }) {
  const [element, setElement] = useState<HTMLElement | null>(null)
  const { plan } = received
  const save = (kind: ReminderKind) => {
    const now = Date.now()
    const text = reminderCalendar(received, kind, ownTimeZone(), now)
    if (text) saveFile(text, 'text/calendar', `aftercare-${kind}.ics`)
  }
  return (
    <article className="aftercare-plan" ref={setElement} data-testid="aftercare-plan">
      <h2>Your aftercare plan</h2>
      <p>
        From <strong>{received.clinicianName}</strong>, {formatTime(whenFormat, received.at)}.
      </p>
      {plan.warningSigns.length > 0 && (
        <section className="urgent" data-testid="aftercare-warnings">
          <h3>Get urgent care (call your emergency number) if you have:</h3>
          <ul>
            {plan.warningSigns.map((sign, i) => (
              // The list never reorders: the index is the item.
              <li key={i}>{sign}</li>
            ))}
          </ul>
        </section>
      )}
      {plan.instructions && (
        <section>
          <h3>What to do</h3>
          <p className="instructions" data-testid="aftercare-instructions">
            {plan.instructions}
          </p>
        </section>
      )}
      {plan.medications.length > 0 && (
        <section>
          <h3>Medications</h3>
          <ul data-testid="aftercare-medications">
            {plan.medications.map((m, i) => (
              <li key={i}>
                <strong>{m.name}</strong>
                {m.dose ? `, ${m.dose}` : ''} — at {m.times.join(', ')}, for {m.days}{' '}
                {m.days === 1 ? 'day' : 'days'}
              </li>
            ))}
          </ul>
        </section>
      )}
      {plan.measurements.length > 0 && (
        <section>
          <h3>Measure at home</h3>
          <ul data-testid="aftercare-measurements">
            {plan.measurements.map((m, i) => (
              <li key={i}>
                <strong>{m.what}</strong> — at {m.times.join(', ')},{' '}
                {m.everyDays === 1 ? 'every day' : `every ${m.everyDays} days`}, for {m.days} days. Write the
                results down.
              </li>
            ))}
          </ul>
        </section>
      )}
      {plan.followUp && (
        <section>
          <h3>Next appointment</h3>
          <p data-testid="aftercare-follow-up">
            {formatTime(whenFormat, plan.followUp.start)} ({plan.followUp.durationMinutes} min)
            {plan.followUp.note ? ` — ${plan.followUp.note}` : ''}
          </p>
        </section>
      )}
      <div className="row no-print">
        <button type="button" onClick={() => printPlan(element)} data-testid="aftercare-print">
          Print or save as PDF
        </button>
        {REMINDERS.filter(
          ({ kind }) =>
            (kind === 'medications' && plan.medications.length > 0) ||
            (kind === 'measurements' && plan.measurements.length > 0) ||
            (kind === 'follow-up' && plan.followUp),
        ).map(({ kind, label }) => (
          <button key={kind} type="button" onClick={() => save(kind)} data-testid={`aftercare-ics-${kind}`}>
            {label}
          </button>
        ))}
        {onDelete && (
          <button type="button" onClick={onDelete} data-testid="aftercare-delete">
            Remove from this device
          </button>
        )}
      </div>
    </article>
  )
}

/** The patient's copies on this device (of one consultation's room, or all), newest first. */
export function MyAftercarePlans({ roomId }: { roomId?: string }) {
  // Read at every render (a few KB from localStorage): a removal re-renders through this counter.
  const [, setVersion] = useState(0)
  const copies =
    typeof localStorage === 'undefined'
      ? []
      : loadPlanCopies(localStorage).filter((copy) => roomId === undefined || copy.roomId === roomId)
  if (!copies.length) return null
  const remove = (copy: PlanCopy) => {
    deletePlanCopy(localStorage, copy.id, copy.roomId)
    setVersion((v) => v + 1)
  }
  const [latest, ...older] = copies
  return (
    <section aria-label="My aftercare plans" data-testid="my-aftercare">
      {latest && <AftercarePlanView received={latest} onDelete={() => remove(latest)} />}
      {older.length > 0 && (
        <details>
          <summary>Earlier plans ({older.length})</summary>
          {older.map((copy) => (
            <AftercarePlanView
              key={`${copy.roomId}|${copy.id}`}
              received={copy}
              onDelete={() => remove(copy)}
            />
          ))}
        </details>
      )}
      <p className="notice">
        Kept only in this browser. Clearing the site's data removes it: print it or save it as a PDF to keep
        it.
      </p>
    </section>
  )
}

/** The call's side panel: the clinician writes and sends the plan; the patient reads the plan received. */
export function AftercarePanel() {
  const runtime = useRuntime()
  const latest = useSyncExternalStore(runtime.aftercare.subscribe, runtime.aftercare.latest)
  if (runtime.invite.role === 'clinician') return <AftercareForm sent={latest} />
  if (!latest) return null
  return <AftercarePlanView received={latest} />
}

/**
 * The clinician's side: a disclosure whose form (./aftercare-form.tsx) is fetched the first time it is opened, and
 * then stays (a closed <details> keeps its content, and so what was typed).
 */
function AftercareForm({ sent }: { sent: ReceivedPlan | undefined }) {
  const [opened, setOpened] = useState(false)
  return (
    <details
      className="aftercare"
      data-testid="aftercare-form"
      onToggle={(event) => event.currentTarget.open && setOpened(true)}
    >
      <summary>
        <strong>Aftercare plan</strong>
        {sent && <span data-testid="aftercare-sent"> · sent {formatTime(dayFormat, sent.at)}</span>}
      </summary>
      {opened && (
        <Suspense fallback={<p className="loading">Loading the aftercare form…</p>}>
          <AftercareFormFields sent={sent} />
        </Suspense>
      )}
    </details>
  )
}
