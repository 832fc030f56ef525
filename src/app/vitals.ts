// Vitals in the call, no React: what the others share with us (a VitalsFeed the monitors read), and what we share
// (the simulator, a Bluetooth device or a reading entered by hand), sent through the call session: numerics as
// validated `vitals` messages about once a second, the ECG as binary waveform frames every 400 ms.
import { ECG_STREAM } from '../net/call-session'
import { ECG_BATCH_MS, type WaveformFrame } from '../net/frames'
import { connectVitalsDevice, type VitalsDevice } from '../vitals/bluetooth'
import type { DeviceUsersState } from '../vitals/device-users'
import { createSimulator, type ScenarioName, type Simulator } from '../vitals/simulator'
import { ECG_MICROVOLTS_PER_COUNT, ECG_SAMPLE_RATE_HZ, type Measurement } from '../vitals/types'
import { currentSession } from './call-controller'
import { ownVitals, SELF } from './vitals-feeds'

/** Numerics go out this often, ms: the 1 Hz. */
const NUMERICS_MS = 1000

interface Sharing {
  kind: 'simulated' | 'device'
  stop: () => void
  simulator?: Simulator
  deviceName?: string
  /** Issue 12: the connected device, for its users (a shared cuff). */
  device?: VitalsDevice
}

let sharing: Sharing | null = null
const listeners = new Set<() => void>()

/** For the sharing controls: re-read `sharingState()` when this fires. */
export function onSharingChange(listener: () => void): () => void {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

export interface SharingState {
  kind: Sharing['kind'] | null
  scenario: ScenarioName | null
  deviceName: string | null
  /** Whose readings a shared device's are (issue 12); null without a device. */
  deviceUsers: DeviceUsersState | null
}

export function sharingState(): SharingState {
  return {
    kind: sharing?.kind ?? null,
    scenario: sharing?.simulator?.scenario ?? null,
    deviceName: sharing?.deviceName ?? null,
    deviceUsers: sharing?.device?.users ?? null,
  }
}

/** The patient's user number on the connected device (issue 12); readings of other users are not shared. */
export function chooseDeviceUser(user: number | null) {
  sharing?.device?.chooseUser(user)
  changed()
}

function changed() {
  for (const listener of listeners) listener()
}

/** Sends numerics to everyone and shows them to ourselves. */
export function shareMeasurements(items: Measurement[]) {
  if (items.length === 0) return
  ownVitals.receive(SELF, items, Date.now())
  currentSession()?.broadcastVitals(items)
}

function shareEcg(samples: Int16Array, capturedAt: number, seq: number) {
  if (samples.length === 0) return
  const frame: WaveformFrame = {
    kind: 'waveform',
    stream: ECG_STREAM,
    seq,
    capturedAt,
    sampleRateHz: ECG_SAMPLE_RATE_HZ,
    leads: 1,
    scale: ECG_MICROVOLTS_PER_COUNT,
    samples,
  }
  ownVitals.receiveEcg(SELF, frame, Date.now())
  currentSession()?.broadcastFrame(frame)
}

/** Starts (or switches) the physiological simulator: every value it sends is labelled simulated. */
export function shareSimulated(scenario: ScenarioName) {
  if (sharing?.simulator) {
    sharing.simulator.setScenario(scenario, Date.now())
    changed()
    return
  }
  stopSharing({ announce: false })
  const startAt = Date.now()
  const simulator = createSimulator({ scenario, seed: (Math.random() * 2 ** 32) >>> 0, startAt })
  let ecgFrom = startAt
  let seq = 0
  let lastCuffAt = -1
  const numerics = () => {
    const items = simulator.numerics(Date.now()).filter((m) => {
      // The cuff reading repeats until the next one is taken: send each reading once.
      if (m.kind !== 'blood-pressure') return true
      if (m.at === lastCuffAt) return false
      lastCuffAt = m.at
      return true
    })
    shareMeasurements(items)
  }
  const ecg = () => {
    const to = Date.now()
    shareEcg(simulator.ecg(ecgFrom, to), ecgFrom, seq)
    seq = (seq + 1) >>> 0
    ecgFrom = to
  }
  numerics()
  const timers = [setInterval(numerics, NUMERICS_MS), setInterval(ecg, ECG_BATCH_MS)]
  sharing = {
    kind: 'simulated',
    simulator,
    stop: () => {
      for (const timer of timers) clearInterval(timer)
    },
  }
  changed()
}

/** Stops whatever source runs; the others' panels say so at once. */
export function stopSharing({ announce = true } = {}) {
  if (!sharing) return
  sharing.stop()
  sharing = null
  if (announce) {
    ownVitals.stop(SELF, Date.now())
    currentSession()?.broadcastVitalsStopped()
  }
  changed()
}

/**
 * Connects a Bluetooth LE vitals device (heart rate, pulse oximeter, cuff, thermometer, glucose meter) and shares
 * what it measures, labelled with its name. Resolves with null, or a sentence saying why it did not work.
 */
export async function shareBluetoothDevice(onProblem: (message: string) => void): Promise<string | null> {
  const result = await connectVitalsDevice(
    shareMeasurements,
    (message, kind) => {
      onProblem(message)
      if (kind === 'connection' && sharing?.kind === 'device') {
        sharing = null
        changed()
      }
    },
    { onUsers: () => changed() },
  )
  if (!result.ok) return result.error
  stopSharing({ announce: false })
  sharing = {
    kind: 'device',
    stop: () => result.device.disconnect(),
    deviceName: result.device.name,
    device: result.device,
  }
  changed()
  return null
}
