// The lobby's booking: a form for a consultation later (date, time, duration, time zone) and the list of
// upcoming ones, each with its invitations as calendar files and as text to paste, and a Start button that opens
// the call with the very links sent out. The bookings live in this browser only (src/record/schedule.ts).
import { useCallback, useEffect, useMemo, useState } from 'react'
import {
  checkBooking,
  describeWhen,
  inviteCalendar,
  inviteFileName,
  inviteMessage,
  type ScheduledConsultation,
  upcoming,
} from '../care/schedule'
import { ownTimeZone, timeZones, wallTimeAt } from '../care/zoned-time'
import { getSchedule } from '../record/schedule'
import { createConsultation } from '../room/credentials'
import { inviteFragment, ROLE_LABELS, ROLES } from '../room/invite'
import { rememberInvites } from './invite-links'
import { saveFile } from './save-file'
import './care.css'

/** Durations offered, minutes: the lengths consultations are booked in. */
const DURATIONS = [10, 15, 20, 30, 45, 60, 90]

const appBase = () => `${location.origin}${location.pathname}`
const pad = (n: number) => String(n).padStart(2, '0')

/** Tomorrow's date on `timeZone`'s clock, as a date input wants it: a sensible first guess for a booking. */
function tomorrow(timeZone: string): string {
  const w = wallTimeAt(timeZone, Date.now() + 86_400_000)
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`
}

function describeError(error: unknown): string {
  return error instanceof Error && error.message ? error.message : String(error)
}

export function Schedule({
  waitingRoom,
  screening,
  showForm,
}: {
  waitingRoom: boolean
  /** The questionnaires the patient is asked to answer first. */
  screening: readonly string[]
  showForm: boolean
}) {
  const zones = useMemo(timeZones, [])
  const [timeZone, setTimeZone] = useState(ownTimeZone)
  const [date, setDate] = useState(() => tomorrow(ownTimeZone()))
  const [time, setTime] = useState('09:00')
  const [durationMinutes, setDuration] = useState(30)
  const [patientName, setPatientName] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [bookings, setBookings] = useState<ScheduledConsultation[] | null>(null)
  const [justBooked, setJustBooked] = useState<string | null>(null)

  const reload = useCallback(async () => {
    try {
      setBookings(upcoming(await getSchedule().list(), Date.now()))
    } catch (error) {
      setProblem(`The bookings in this browser could not be read: ${describeError(error)}`)
      setBookings([])
    }
  }, [])
  useEffect(() => {
    void reload()
  }, [reload])

  const book = async () => {
    const checked = checkBooking({ date, time, durationMinutes, timeZone }, Date.now())
    if (!checked.ok) {
      setProblem(checked.reason)
      return
    }
    setProblem(null)
    setBusy(true)
    try {
      const { invites } = await createConsultation({ waitingRoom, screening })
      const booking: ScheduledConsultation = {
        id: crypto.randomUUID(),
        start: checked.start,
        durationMinutes,
        timeZone,
        createdAt: Date.now(),
        invites,
        ...(patientName.trim() ? { patientName: patientName.trim().slice(0, 64) } : {}),
      }
      await getSchedule().add(booking)
      // The room's invites, as for a consultation started now: the call's invite panel can hand them out again.
      rememberInvites(invites)
      setJustBooked(booking.id)
      await reload()
    } catch (error) {
      setProblem(`The consultation could not be booked: ${describeError(error)}`)
    } finally {
      setBusy(false)
    }
  }

  const start = (booking: ScheduledConsultation) => {
    rememberInvites(booking.invites)
    location.hash = inviteFragment(booking.invites.clinician)
  }

  const remove = async (booking: ScheduledConsultation) => {
    try {
      await getSchedule().remove(booking.id)
    } catch (error) {
      setProblem(`The booking could not be removed: ${describeError(error)}`)
    }
    await reload()
  }

  if (typeof indexedDB === 'undefined') return null
  return (
    <>
      {showForm && (
        <section className="schedule" aria-labelledby="schedule-title">
          <h2 id="schedule-title">Book a consultation for later</h2>
          <form
            className="schedule-form"
            onSubmit={(event) => {
              event.preventDefault()
              void book()
            }}
          >
            <label>
              Date
              <input
                type="date"
                value={date}
                required
                onChange={(e) => setDate(e.currentTarget.value)}
                data-testid="schedule-date"
              />
            </label>
            <label>
              Time
              <input
                type="time"
                value={time}
                required
                onChange={(e) => setTime(e.currentTarget.value)}
                data-testid="schedule-time"
              />
            </label>
            <Choice
              label="Duration"
              value={String(durationMinutes)}
              options={DURATIONS.map((minutes) => [String(minutes), `${minutes} min`])}
              onChange={(value) => setDuration(Number(value))}
              testId="schedule-duration"
            />
            <Choice
              label="Time zone"
              value={timeZone}
              options={zones.map((zone) => [zone, zone.replace(/_/g, ' ')])}
              onChange={setTimeZone}
              testId="schedule-zone"
            />
            <label className="wide">
              Patient (optional, shown in the invitations)
              <input
                value={patientName}
                maxLength={64}
                onChange={(e) => setPatientName(e.currentTarget.value)}
                data-testid="schedule-patient"
              />
            </label>
            <button type="submit" className="primary" disabled={busy} data-testid="schedule-book">
              Book
            </button>
          </form>
          {problem && (
            <p className="notice error" role="alert" data-testid="schedule-problem">
              {problem}
            </p>
          )}
        </section>
      )}
      <section className="upcoming" aria-labelledby="upcoming-title" data-testid="upcoming">
        <h2 id="upcoming-title">Upcoming consultations</h2>
        <p className="notice">
          Kept only in this browser, with their invite links; the server does not know they are planned.
        </p>
        {bookings?.length === 0 && <p>Nothing booked.</p>}
        {bookings && bookings.length > 0 && (
          <ul>
            {bookings.map((booking) => (
              <li key={booking.id} data-testid="upcoming-item">
                <p>
                  <strong data-testid="upcoming-when">{describeWhen(booking)}</strong>
                  {booking.patientName ? ` · ${booking.patientName}` : ''}
                </p>
                <div className="row">
                  <button
                    type="button"
                    className="primary"
                    onClick={() => start(booking)}
                    data-testid="upcoming-start"
                  >
                    Start this consultation
                  </button>
                  <button type="button" onClick={() => void remove(booking)} data-testid="upcoming-remove">
                    Remove
                  </button>
                </div>
                <details open={justBooked === booking.id}>
                  <summary>Invitations: calendar files and text to send</summary>
                  <p>
                    Send each person theirs, privately: the link in it lets whoever holds it join as that
                    role.
                  </p>
                  <ul className="invitations">
                    {ROLES.map((role) => (
                      <Invitation key={role} booking={booking} role={role} />
                    ))}
                  </ul>
                </details>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  )
}

/** A labelled drop-down of `[value, text]` options. */
function Choice(props: {
  label: string
  value: string
  options: ReadonlyArray<readonly [string, string]>
  onChange: (value: string) => void
  testId: string
}) {
  return (
    <label>
      {props.label}
      <select
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value)}
        data-testid={props.testId}
      >
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
}

function Invitation({ booking, role }: { booking: ScheduledConsultation; role: (typeof ROLES)[number] }) {
  const [copied, setCopied] = useState(false)
  const message = inviteMessage(booking, role, appBase())
  return (
    <li data-testid={`invitation-${role}`}>
      <div className="row">
        <strong>{ROLE_LABELS[role]}</strong>
        <button
          type="button"
          onClick={() =>
            saveFile(
              inviteCalendar(booking, role, appBase(), Date.now()),
              'text/calendar',
              inviteFileName(booking, role),
            )
          }
          data-testid={`ics-${role}`}
        >
          Calendar file (.ics)
        </button>
        <button
          type="button"
          onClick={() =>
            navigator.clipboard
              ?.writeText(message)
              .then(() => setCopied(true))
              .catch(() => setCopied(false))
          }
          data-testid={`copy-message-${role}`}
        >
          {copied ? 'Copied' : 'Copy message'}
        </button>
      </div>
      <textarea readOnly rows={4} value={message} data-testid={`message-${role}`} aria-label="Message" />
    </li>
  )
}
