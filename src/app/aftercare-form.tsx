// The clinician's aftercare form, loaded when they first open it (./aftercare.tsx): most of a call never shows it,
// and the patient's page never does.
import { useState } from 'react'
import type { ReceivedPlan } from '../care/aftercare'
import {
  type AftercareFormValues,
  emptyForm,
  emptyMeasurement,
  emptyMedication,
  planFromForm,
} from '../care/aftercare-form'
import { ownTimeZone } from '../care/zoned-time'
import { useRuntime } from './runtime-context'

/** The form inside the "Aftercare plan" disclosure: what the plan says, checked, then sent to the patient. */
export function AftercareFormFields({ sent }: { sent: ReceivedPlan | undefined }) {
  const runtime = useRuntime()
  const [form, setForm] = useState<AftercareFormValues>(emptyForm)
  const [problem, setProblem] = useState<string | null>(null)
  const set = (patch: Partial<AftercareFormValues>) => setForm((f) => ({ ...f, ...patch }))
  const send = () => {
    const result = planFromForm(form, ownTimeZone())
    if (!result.ok) {
      setProblem(result.reason)
      return
    }
    const refusal = runtime.sendCarePlan(result.plan)
    setProblem(refusal)
  }
  return (
    <form
      className="aftercare-form"
      onSubmit={(event) => {
        event.preventDefault()
        send()
      }}
    >
      <label>
        Instructions, in plain words
        <textarea
          rows={3}
          value={form.instructions}
          onChange={(e) => set({ instructions: e.currentTarget.value })}
          data-testid="aftercare-instructions-input"
        />
      </label>
      <fieldset>
        <legend>Medications</legend>
        {form.medications.map((row, i) => (
          <div className="item" key={i}>
            <label>
              Medicine
              <input
                value={row.name}
                onChange={(e) => {
                  const medications = [...form.medications]
                  medications[i] = { ...row, name: e.currentTarget.value }
                  set({ medications })
                }}
                data-testid={`med-name-${i}`}
              />
            </label>
            <label>
              Dose
              <input
                value={row.dose}
                onChange={(e) => {
                  const medications = [...form.medications]
                  medications[i] = { ...row, dose: e.currentTarget.value }
                  set({ medications })
                }}
                data-testid={`med-dose-${i}`}
              />
            </label>
            <label>
              Times
              <input
                value={row.times}
                placeholder="08:00, 20:00"
                onChange={(e) => {
                  const medications = [...form.medications]
                  medications[i] = { ...row, times: e.currentTarget.value }
                  set({ medications })
                }}
                data-testid={`med-times-${i}`}
              />
            </label>
            <label>
              Days
              <input
                inputMode="numeric"
                value={row.days}
                onChange={(e) => {
                  const medications = [...form.medications]
                  medications[i] = { ...row, days: e.currentTarget.value }
                  set({ medications })
                }}
                data-testid={`med-days-${i}`}
              />
            </label>
          </div>
        ))}
        <button type="button" onClick={() => set({ medications: [...form.medications, emptyMedication()] })}>
          Add a medication
        </button>
      </fieldset>
      <fieldset>
        <legend>Measure at home</legend>
        {form.measurements.map((row, i) => (
          <div className="item" key={i}>
            <label>
              What
              <input
                value={row.what}
                placeholder="Blood pressure"
                onChange={(e) => {
                  const measurements = [...form.measurements]
                  measurements[i] = { ...row, what: e.currentTarget.value }
                  set({ measurements })
                }}
                data-testid={`measure-what-${i}`}
              />
            </label>
            <label>
              Times
              <input
                value={row.times}
                placeholder="07:30"
                onChange={(e) => {
                  const measurements = [...form.measurements]
                  measurements[i] = { ...row, times: e.currentTarget.value }
                  set({ measurements })
                }}
                data-testid={`measure-times-${i}`}
              />
            </label>
            <label>
              Every (days)
              <input
                inputMode="numeric"
                value={row.everyDays}
                onChange={(e) => {
                  const measurements = [...form.measurements]
                  measurements[i] = { ...row, everyDays: e.currentTarget.value }
                  set({ measurements })
                }}
                data-testid={`measure-every-${i}`}
              />
            </label>
            <label>
              For days
              <input
                inputMode="numeric"
                value={row.days}
                onChange={(e) => {
                  const measurements = [...form.measurements]
                  measurements[i] = { ...row, days: e.currentTarget.value }
                  set({ measurements })
                }}
                data-testid={`measure-days-${i}`}
              />
            </label>
          </div>
        ))}
        <button
          type="button"
          onClick={() => set({ measurements: [...form.measurements, emptyMeasurement()] })}
        >
          Add a measurement
        </button>
      </fieldset>
      <label>
        Warning signs that need urgent care, one per line
        <textarea
          rows={3}
          value={form.warningSigns}
          onChange={(e) => set({ warningSigns: e.currentTarget.value })}
          data-testid="aftercare-warnings-input"
        />
      </label>
      <fieldset>
        <legend>Next appointment</legend>
        <div className="item follow">
          <label>
            Date
            <input
              type="date"
              value={form.followUpDate}
              onChange={(e) => set({ followUpDate: e.currentTarget.value })}
              data-testid="follow-date"
            />
          </label>
          <label>
            Time
            <input
              type="time"
              value={form.followUpTime}
              onChange={(e) => set({ followUpTime: e.currentTarget.value })}
              data-testid="follow-time"
            />
          </label>
          <label>
            Minutes
            <input
              inputMode="numeric"
              value={form.followUpMinutes}
              onChange={(e) => set({ followUpMinutes: e.currentTarget.value })}
              data-testid="follow-minutes"
            />
          </label>
          <label>
            Where or how
            <input
              value={form.followUpNote}
              onChange={(e) => set({ followUpNote: e.currentTarget.value })}
              data-testid="follow-note"
            />
          </label>
        </div>
      </fieldset>
      {problem && (
        <p className="notice error" role="alert" data-testid="aftercare-problem">
          {problem}
        </p>
      )}
      <button type="submit" className="primary" data-testid="aftercare-send">
        {sent ? 'Send the updated plan to the patient' : 'Send the plan to the patient'}
      </button>
    </form>
  )
}
