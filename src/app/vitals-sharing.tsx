// The patient's side of vitals: choose where they come from (the simulator, a Bluetooth device, a reading typed
// in by hand) and stop sharing. Values go to the others through the call's VitalsSharing (src/call/vitals-sharing.ts).
import { type FormEvent, useEffect, useState, useSyncExternalStore } from 'react'
import { SELF } from '../call/vitals-sharing'
import { defaultLimits } from '../vitals/alarms'
import { type BluetoothAvailability, bluetoothAvailability } from '../vitals/bluetooth-availability'
import { deviceUsersSentence, userLabel } from '../vitals/device-users'
import { isPlausible } from '../vitals/feed'
import { SCENARIOS, type ScenarioName } from '../vitals/simulator'
import { type Measurement, VITAL_KINDS, VITALS, type VitalKind } from '../vitals/types'
import { useRuntime } from './runtime-context'
import { VitalsTable } from './vitals-monitor-dom'

/** A reading typed in by hand, checked against what is physiologically possible. */
export function manualMeasurement(
  kind: VitalKind,
  value: string,
  diastolic: string,
  at: number,
): { ok: true; measurement: Measurement } | { ok: false; error: string } {
  const def = VITALS[kind]
  const number = Number(value.replace(',', '.'))
  const source = { kind: 'manual', label: 'Entered by hand' } as const
  if (value.trim() === '' || !Number.isFinite(number)) {
    return { ok: false, error: `Enter the ${def.label.toLowerCase()} as a number.` }
  }
  const measurement: Measurement =
    kind === 'blood-pressure'
      ? { kind, systolic: number, diastolic: Number(diastolic.replace(',', '.')), at, source, quality: 'ok' }
      : { kind, value: number, at, source, quality: 'ok' }
  if (!isPlausible(measurement)) {
    const range = `${def.plausible.min}–${def.plausible.max} ${def.unitLabel}`
    return {
      ok: false,
      error:
        kind === 'blood-pressure'
          ? `That blood pressure is not possible: both numbers must be within ${range}, the first higher than the second.`
          : `A ${def.label.toLowerCase()} of ${value} ${def.unitLabel} is not possible (expected ${range}). Check the reading.`,
    }
  }
  return { ok: true, measurement }
}

function ManualEntry() {
  const { sharing } = useRuntime()
  const [kind, setKind] = useState<VitalKind>('blood-pressure')
  const [value, setValue] = useState('')
  const [diastolic, setDiastolic] = useState('')
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    const result = manualMeasurement(kind, value, diastolic, Date.now())
    if (!result.ok) {
      setMessage({ text: result.error, error: true })
      return
    }
    sharing.shareMeasurements([result.measurement])
    setMessage({ text: `Sent: ${VITALS[kind].label}.`, error: false })
    setValue('')
    setDiastolic('')
  }
  return (
    <form className="manual-entry" onSubmit={submit} aria-label="Enter a reading">
      <select value={kind} onChange={(e) => setKind(e.target.value as VitalKind)} data-testid="manual-kind">
        {VITAL_KINDS.map((k) => (
          <option key={k} value={k}>
            {VITALS[k].label}
          </option>
        ))}
      </select>
      <input
        inputMode="decimal"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        aria-label={kind === 'blood-pressure' ? 'Systolic' : VITALS[kind].label}
        placeholder={kind === 'blood-pressure' ? 'Systolic' : VITALS[kind].unitLabel}
        data-testid="manual-value"
      />
      {kind === 'blood-pressure' && (
        <input
          inputMode="decimal"
          value={diastolic}
          onChange={(e) => setDiastolic(e.target.value)}
          aria-label="Diastolic"
          placeholder="Diastolic"
          data-testid="manual-diastolic"
        />
      )}
      <button type="submit" data-testid="manual-send">
        Send reading
      </button>
      {message && (
        <p className={message.error ? 'error' : 'hint'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </form>
  )
}

/** Our own readings are shown against the default limits, without alarms: the clinician judges them. */
const ownLimits = defaultLimits()
const ownInputs = (_peerId: string, now: number) => ({ limits: ownLimits, alarms: {}, now })

export function VitalsSharing() {
  const { sharing } = useRuntime()
  const state = useSyncExternalStore(sharing.subscribe, sharing.state)
  const [open, setOpen] = useState(false)
  const [deviceProblem, setDeviceProblem] = useState<string | null>(null)
  const [bluetooth, setBluetooth] = useState<BluetoothAvailability | null>(null)
  useEffect(() => {
    void bluetoothAvailability().then(setBluetooth)
    return () => sharing.stop()
  }, [sharing])
  const connect = async () => {
    setDeviceProblem(null)
    setDeviceProblem(await sharing.shareBluetoothDevice(setDeviceProblem))
  }
  return (
    <section className="vitals-sharing" aria-label="Share my vitals">
      <h3>My vitals</h3>
      <label>
        Source{' '}
        <select
          data-testid="vitals-source"
          value={
            state.kind === 'simulated' ? `sim:${state.scenario}` : state.kind === 'device' ? 'device' : 'off'
          }
          onChange={(event) => {
            const choice = event.target.value
            if (choice === 'off') sharing.stop()
            else if (choice.startsWith('sim:')) sharing.shareSimulated(choice.slice(4) as ScenarioName)
          }}
        >
          <option value="off">Not sharing</option>
          {SCENARIOS.map((scenario) => (
            <option key={scenario.name} value={`sim:${scenario.name}`} title={scenario.description}>
              Simulator: {scenario.label}
            </option>
          ))}
          {state.kind === 'device' && (
            <option value="device">{state.deviceName ?? 'Bluetooth device'}</option>
          )}
        </select>
      </label>
      {state.kind === 'simulated' && (
        <p className="hint">Simulated values, labelled as such on every screen. Not a measurement of you.</p>
      )}
      {/* Issue 12: a device shared by several users (a family cuff) shares only the patient's readings. */}
      {state.deviceUsers && state.deviceUsers.seen.length > 0 && (
        <label>
          Your user on this device{' '}
          <select
            data-testid="device-user"
            value={state.deviceUsers.chosen ?? ''}
            onChange={(event) =>
              sharing.chooseDeviceUser(event.target.value === '' ? null : Number(event.target.value))
            }
          >
            <option value="">Choose…</option>
            {state.deviceUsers.seen.map((user) => (
              <option key={user} value={user}>
                {userLabel(user)}
              </option>
            ))}
          </select>
        </label>
      )}
      {state.deviceUsers && deviceUsersSentence(state.deviceUsers) && (
        <p className="hint" data-testid="device-users-sentence">
          {deviceUsersSentence(state.deviceUsers)}
        </p>
      )}
      {bluetooth?.available ? (
        <button type="button" onClick={() => void connect()} data-testid="bluetooth-connect">
          Connect a Bluetooth device
        </button>
      ) : (
        bluetooth && (
          <p className="hint" data-testid="bluetooth-unavailable">
            {bluetooth.reason}
          </p>
        )
      )}
      {deviceProblem && (
        <p className="error" role="alert">
          {deviceProblem}
        </p>
      )}
      <button type="button" onClick={() => setOpen((v) => !v)} aria-expanded={open}>
        Enter a reading
      </button>
      {open && <ManualEntry />}
      {/* What we share, as the others see it: the patient sees their own readings too. */}
      <VitalsTable feed={sharing.own} peerId={SELF} name="What you share" inputs={ownInputs} />
    </section>
  )
}
