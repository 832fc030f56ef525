// The clinician's alarms in the DOM: what is alarming (high priority first), acknowledge and silence, and the
// limits. It re-renders only when the list of alarms changes, never per sample.
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import type { ShownAlarm } from '../call/alarms'
import { useCall } from '../state/call-store'
import { usePage } from '../state/page-store'
import { formatTime } from '../ui/time-text'
import {
  ALARM_PROFILE_NAMES,
  type AlarmProfileName,
  DEFAULT_AUDIO_PAUSE_MS,
  PROFILES,
  type SideRule,
} from '../vitals/alarms'
import { VITAL_KINDS, VITALS, type VitalKind } from '../vitals/types'
import { createAlarmTones } from './alarm-tones'
import { EscalationEditor } from './escalation-editor'
import { useRuntime } from './runtime-context'

/** How often alarms are re-evaluated and the tone scheduled, ms. */
const TICK_MS = 250

function useAlarms(): ShownAlarm[] {
  const { alarms: boards } = useRuntime()
  const [alarms, setAlarms] = useState<ShownAlarm[]>([])
  useEffect(() => {
    let signature = ''
    const soundAlarms = createAlarmTones()
    const timer = setInterval(() => {
      const now = Date.now()
      soundAlarms(boards, now)
      const next = boards.active(now)
      const nextSignature = JSON.stringify(
        next.map((a) => [
          a.peerId,
          a.kind,
          a.priority,
          a.condition,
          a.acknowledged,
          a.audioPaused,
          a.message,
        ]),
      )
      if (nextSignature !== signature) {
        signature = nextSignature
        setAlarms(next)
      }
    }, TICK_MS)
    return () => clearInterval(timer)
  }, [boards])
  return alarms
}

/** "medium; high beyond 40", for the escalation of one side (issue 12: every value visible). */
function escalationText(rule: SideRule, unit: string): string {
  const steps = rule.further.map((step) =>
    typeof step.beyond === 'number'
      ? `${step.priority} beyond ${step.beyond} ${unit}`
      : `${step.priority} ${step.beyond.fromLimit} ${unit} beyond the limit`,
  )
  return [rule.atLimit, ...steps].join('; ')
}

function LimitsEditor({ peerId }: { peerId: string }) {
  const board = useRuntime().alarms.boardFor(peerId)
  const [kind, setKind] = useState<VitalKind>('spo2')
  const [low, setLow] = useState(String(board.limits[kind].low))
  const [high, setHigh] = useState(String(board.limits[kind].high))
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null)
  // A new profile replaces every escalation: the escalation form starts again from the board's values.
  const [profileEpoch, setProfileEpoch] = useState(0)
  const [, setEscalationEdits] = useState(0)
  const choose = (next: VitalKind) => {
    setKind(next)
    setLow(String(board.limits[next].low))
    setHigh(String(board.limits[next].high))
    setMessage(null)
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    const result = board.setLimits(kind, { low: Number(low), high: Number(high) }, Date.now())
    setMessage(
      result.ok
        ? { text: `${VITALS[kind].label} limits set.`, error: false }
        : { text: result.error, error: true },
    )
  }
  return (
    <>
      <form className="limits" onSubmit={submit} aria-label="Alarm limits">
        {/* Visible labels: a placeholder-less number box means nothing to someone who did not open it. */}
        <label>
          Reading
          <select value={kind} onChange={(e) => choose(e.target.value as VitalKind)} data-testid="limit-kind">
            {VITAL_KINDS.map((k) => (
              <option key={k} value={k}>
                {VITALS[k].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Low ({VITALS[kind].unitLabel})
          <input
            value={low}
            onChange={(e) => setLow(e.target.value)}
            inputMode="decimal"
            data-testid="limit-low"
          />
        </label>
        <label>
          High ({VITALS[kind].unitLabel})
          <input
            value={high}
            onChange={(e) => setHigh(e.target.value)}
            inputMode="decimal"
            data-testid="limit-high"
          />
        </label>
        <button type="submit" data-testid="limit-set">
          Set
        </button>
        {/* Issue 12: the profile and the escalations in force, visible; editing them is board.setPriorityRule. */}
        <label>
          Profile
          <select
            value={board.settings.profile}
            onChange={(e) => {
              board.useProfile(e.target.value as AlarmProfileName, Date.now())
              setProfileEpoch((n) => n + 1)
              choose(kind)
            }}
            data-testid="alarm-profile"
          >
            {ALARM_PROFILE_NAMES.map((name) => (
              <option key={name} value={name} title={PROFILES[name].description}>
                {PROFILES[name].label}
                {board.settings.profile === name && board.settings.edited ? ' (changed)' : ''}
              </option>
            ))}
          </select>
        </label>
        <p className="hint" data-testid="alarm-escalation">
          Below the low limit: {escalationText(board.settings.priorities[kind].low, VITALS[kind].unitLabel)}.
          Above the high limit: {escalationText(board.settings.priorities[kind].high, VITALS[kind].unitLabel)}
          .
        </p>
        {message && (
          <p className={message.error ? 'error' : 'hint'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
      </form>
      <details className="escalation-details" data-testid="escalation-editor">
        <summary>Change the escalation for {VITALS[kind].label}</summary>
        <EscalationEditor
          key={`${kind}|${profileEpoch}`}
          board={board}
          kind={kind}
          onChange={() => setEscalationEdits((n) => n + 1)}
        />
      </details>
    </>
  )
}

function AlarmRow({ alarm }: { alarm: ShownAlarm }) {
  const { alarms } = useRuntime()
  const name = useCall((s) => s.participants[alarm.peerId]?.name ?? '')
  return (
    <li
      className={`alarm ${alarm.priority}`}
      data-testid="alarm"
      data-priority={alarm.priority}
      data-kind={alarm.kind}
    >
      <span className="text">
        {name}: {alarm.message}
        {alarm.acknowledged ? ' (acknowledged)' : ''}
      </span>
      {!alarm.acknowledged && (
        <button
          type="button"
          onClick={() => alarms.boardFor(alarm.peerId).acknowledge(alarm.kind, Date.now())}
          data-testid="alarm-ack"
        >
          Acknowledge
        </button>
      )}
    </li>
  )
}

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' })

/** Issue 12: the alarm log, newest first (the call record keeps all of it; the export carries it). */
function AlarmLog({ peerId }: { peerId: string }) {
  const { alarms } = useRuntime()
  const [open, setOpen] = useState(false)
  const entries = open ? [...alarms.boardFor(peerId).log].reverse().slice(0, 50) : []
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="alarm-log">
      <summary>Alarm log</summary>
      <ol>
        {entries.map((entry) => (
          <li key={`${entry.at}|${entry.event}|${entry.alarmId ?? ''}|${entry.message}`}>
            {formatTime(timeFormat, entry.at)} · {entry.event}
            {entry.priority ? ` (${entry.priority})` : ''}: {entry.message}
          </li>
        ))}
      </ol>
    </details>
  )
}

/** "Tones paused: 1:45 left", counting down, while a silence lasts: nobody should wonder why it is quiet. */
function SilenceCountdown({ until, onEnd }: { until: number; onEnd: () => void }) {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  const left = Math.max(0, Math.ceil((until - now) / 1000))
  useEffect(() => {
    if (left === 0) onEnd()
  }, [left, onEnd])
  if (left === 0) return null
  const text = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`
  return (
    // A timer, not a status: a status would be read out again every second.
    <p className="silenced" role="timer" aria-label="Alarm tones paused" data-testid="silence-countdown">
      Alarm tones paused: {text} left. Visual alarms stay on.
    </p>
  )
}

export function AlarmPanel() {
  const runtime = useRuntime()
  const alarms = useAlarms()
  const [showLimits, setShowLimits] = useState(false)
  // Read from the boards, not kept here: a silence asked for in the headset shows its countdown here too (the
  // list above re-renders when it flips the alarms' audioPaused).
  const [, setSilenceEnded] = useState(0)
  const silencedUntil = runtime.alarms.silencedUntil(Date.now())
  const endSilence = useCallback(() => setSilenceEnded((n) => n + 1), [])
  const role = usePage((s) => s.invite?.role)
  // Vitals are taken only from the patient, so the limits and the log are the patient's board: with a specialist or
  // a worker alone in the call there is nothing to set.
  const firstVitalsPeer = useCall(
    (s) =>
      Object.values(s.participants)
        .filter((p) => p.role === 'patient')
        .map((p) => p.peerId)
        .sort()[0] ?? null,
  )
  if (role === 'patient') return null
  return (
    <section className="alarms" aria-label="Alarms">
      {/* Only the alarms themselves are read out at once; the limits, the log and the countdown are not. The
          region is always there, since a live region that appears with its content is often not announced. */}
      <div role="alert" aria-label="Active alarms">
        {alarms.length > 0 && (
          <ul data-testid="alarms">
            {alarms.map((alarm) => (
              <AlarmRow key={`${alarm.peerId}:${alarm.kind}:${alarm.condition}`} alarm={alarm} />
            ))}
          </ul>
        )}
      </div>
      {alarms.length > 0 && (
        <button
          type="button"
          onClick={() => {
            runtime.alarms.silenceAll(DEFAULT_AUDIO_PAUSE_MS, Date.now())
            setSilenceEnded((n) => n + 1)
          }}
          data-testid="alarm-silence"
        >
          Silence 2 min
        </button>
      )}
      {silencedUntil !== null && <SilenceCountdown until={silencedUntil} onEnd={endSilence} />}
      {firstVitalsPeer && (
        <button type="button" onClick={() => setShowLimits((v) => !v)} aria-expanded={showLimits}>
          Alarm limits
        </button>
      )}
      {showLimits && firstVitalsPeer && <LimitsEditor peerId={firstVitalsPeer} />}
      {firstVitalsPeer && <AlarmLog peerId={firstVitalsPeer} />}
    </section>
  )
}
