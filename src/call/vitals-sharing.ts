// What the patient shares of their vitals in one call, no React: the simulator, a Bluetooth device or a reading
// typed in by hand, sent through the call's vitals channel (numerics about once a second, the ECG as binary
// waveform frames every 400 ms) and shown to ourselves through our own feed.
import { ECG_BATCH_MS, MAX_SAMPLES_PER_LEAD } from '../net/frames'
import type { VitalsDevice } from '../vitals/bluetooth'
import type { EcgFrame, VitalsChannel } from '../vitals/channel'
import type { DeviceUsersState } from '../vitals/device-users'
import type { VitalsFeed } from '../vitals/feed'
import { createSimulator, type ScenarioName, type Simulator } from '../vitals/simulator'
import { ECG_MICROVOLTS_PER_COUNT, ECG_SAMPLE_RATE_HZ, type Measurement } from '../vitals/types'
import { ECG_STREAM } from '../vitals/wire'

/** Numerics go out this often, ms: about 1 Hz, as a bedside monitor's display updates. */
const NUMERICS_MS = 1000
/** The key under which our own vitals are kept in our own feed. */
export const SELF = 'self'

/**
 * One lead's samples from `capturedAt` on, cut into pieces a waveform frame can carry (at most `maxPerFrame`
 * samples each), each with the time of its first sample. A batch is normally 100 samples (400 ms at 250 Hz), but a
 * page whose timers ran late (a busy machine, a throttled background tab) collects more, and one frame of more than
 * MAX_SAMPLES_PER_LEAD cannot be encoded: sharing would throw at every batch until the page caught up.
 */
export function ecgPieces(
  samples: Int16Array,
  capturedAt: number,
  sampleRateHz: number,
  maxPerFrame = MAX_SAMPLES_PER_LEAD,
): { samples: Int16Array; capturedAt: number }[] {
  const pieces: { samples: Int16Array; capturedAt: number }[] = []
  for (let first = 0; first < samples.length; first += maxPerFrame) {
    pieces.push({
      samples: samples.subarray(first, first + maxPerFrame),
      capturedAt: capturedAt + (first * 1000) / sampleRateHz,
    })
  }
  return pieces
}

interface Source {
  kind: 'simulated' | 'device'
  stop: () => void
  simulator?: Simulator
  deviceName?: string
  /** The connected device, for its users (a shared cuff). */
  device?: VitalsDevice
}

export interface SharingState {
  kind: Source['kind'] | null
  scenario: ScenarioName | null
  deviceName: string | null
  /** Whose readings a shared device's are; null without a device. */
  deviceUsers: DeviceUsersState | null
}

export class VitalsSharing {
  private source: Source | null = null
  private readonly listeners = new Set<() => void>()
  private snapshot: SharingState = { kind: null, scenario: null, deviceName: null, deviceUsers: null }

  constructor(
    /** What we share, for our own view of it. */
    readonly own: VitalsFeed,
    private readonly channel: VitalsChannel,
  ) {}

  /** For the sharing controls (useSyncExternalStore): re-read `state` when this fires. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** The same object until something changes. */
  state = (): SharingState => this.snapshot

  private changed() {
    this.snapshot = {
      kind: this.source?.kind ?? null,
      scenario: this.source?.simulator?.scenario ?? null,
      deviceName: this.source?.deviceName ?? null,
      deviceUsers: this.source?.device?.users ?? null,
    }
    for (const listener of this.listeners) listener()
  }

  /** The patient's user number on the connected device; readings of other users are not shared. */
  chooseDeviceUser(user: number | null) {
    this.source?.device?.chooseUser(user)
    this.changed()
  }

  /** Sends numerics to everyone and shows them to ourselves. */
  shareMeasurements = (items: Measurement[]) => {
    if (items.length === 0) return
    this.own.receive(SELF, items, Date.now())
    this.channel.broadcastVitals(items)
  }

  private shareEcg(samples: Int16Array, capturedAt: number, seq: number) {
    if (samples.length === 0) return
    const frame: EcgFrame = {
      kind: 'waveform',
      stream: ECG_STREAM,
      seq,
      capturedAt,
      sampleRateHz: ECG_SAMPLE_RATE_HZ,
      leads: 1,
      scale: ECG_MICROVOLTS_PER_COUNT,
      samples,
    }
    this.own.receiveEcg(SELF, frame, Date.now())
    this.channel.broadcastEcg(frame)
  }

  /** Starts (or switches) the physiological simulator: every value it sends is labelled simulated. */
  shareSimulated(scenario: ScenarioName) {
    if (this.source?.simulator) {
      this.source.simulator.setScenario(scenario, Date.now())
      this.changed()
      return
    }
    this.stop({ announce: false })
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
      this.shareMeasurements(items)
    }
    const ecg = () => {
      const to = Date.now()
      for (const piece of ecgPieces(simulator.ecg(ecgFrom, to), ecgFrom, ECG_SAMPLE_RATE_HZ)) {
        this.shareEcg(piece.samples, piece.capturedAt, seq)
        seq = (seq + 1) >>> 0
      }
      ecgFrom = to
    }
    numerics()
    const timers = [setInterval(numerics, NUMERICS_MS), setInterval(ecg, ECG_BATCH_MS)]
    this.source = {
      kind: 'simulated',
      simulator,
      stop: () => {
        for (const timer of timers) clearInterval(timer)
      },
    }
    this.changed()
  }

  /** Stops whatever source runs; the others' panels say so at once. */
  stop({ announce = true } = {}) {
    if (!this.source) return
    this.source.stop()
    this.source = null
    if (announce) {
      this.own.stop(SELF, Date.now())
      this.channel.broadcastStopped()
    }
    this.changed()
  }

  /**
   * Connects a Bluetooth LE vitals device (heart rate, pulse oximeter, cuff, thermometer, glucose meter) and
   * shares what it measures, labelled with its name. Resolves with null, or a sentence saying why it did not work.
   */
  async shareBluetoothDevice(onProblem: (message: string) => void): Promise<string | null> {
    // The adapter and its GATT parsers load when a device is connected, not with every call.
    const { connectVitalsDevice } = await import('../vitals/bluetooth')
    const result = await connectVitalsDevice(
      this.shareMeasurements,
      (message, kind) => {
        onProblem(message)
        if (kind === 'connection' && this.source?.kind === 'device') {
          this.source = null
          this.changed()
        }
      },
      { onUsers: () => this.changed() },
    )
    if (!result.ok) return result.error
    this.stop({ announce: false })
    this.source = {
      kind: 'device',
      stop: () => result.device.disconnect(),
      deviceName: result.device.name,
      device: result.device,
    }
    this.changed()
    return null
  }

  /** Leaving the call: the source stops, silently (the links are closing). */
  dispose() {
    this.stop({ announce: false })
    this.listeners.clear()
  }
}
