// The vitals each remote participant shares, as the monitor needs them: the latest value per vital with when it
// arrived, a 5-minute trend per vital in fixed ring buffers, and the last seconds of ECG. Written by the call
// session as messages and frames arrive, read by the panels once per rendered frame (or when `version` moved):
// nothing here goes through React state. Pure: time comes in as an argument.
import { type EcgBatch, type Measurement, primaryValue, VITAL_KINDS, VITALS, type VitalKind } from './types'

/** Trend length: 5 minutes of one value per second. */
export const TREND_SECONDS = 300
/** ECG kept for the strip: 10 s at 250 Hz (the strip shows about 5 s). */
export const ECG_BUFFER_SAMPLES = 2500

export interface VitalTrack {
  latest: Measurement | null
  /** When the latest arrived here, ms (stale detection runs on arrival time: clocks differ between devices). */
  receivedAt: number
  /** Ring buffer of (arrival time, primary value); `trendCount` valid entries ending before `trendHead`. */
  trendTimes: Float64Array
  trendValues: Float32Array
  trendHead: number
  trendCount: number
}

export interface EcgStrip {
  samples: Int16Array
  /** Samples written in total: the newest is at (written - 1) % length. */
  written: number
  sampleRateHz: number
  /** Arrival time of the newest sample, ms. */
  receivedAt: number
  /** Sequence number of the last frame, to notice lost frames (the strip then shows a gap, not a splice). */
  lastSeq: number | null
}

export interface PatientVitals {
  tracks: Record<VitalKind, VitalTrack>
  ecg: EcgStrip
  /** The patient said they stopped sharing (the panels say so at once). */
  stoppedAt: number | null
  /** Bumped whenever anything here changes: a panel redraws when it differs from what it drew. */
  version: number
}

function emptyTrack(): VitalTrack {
  return {
    latest: null,
    receivedAt: 0,
    trendTimes: new Float64Array(TREND_SECONDS),
    trendValues: new Float32Array(TREND_SECONDS),
    trendHead: 0,
    trendCount: 0,
  }
}

function emptyPatient(): PatientVitals {
  return {
    tracks: Object.fromEntries(VITAL_KINDS.map((kind) => [kind, emptyTrack()])) as Record<
      VitalKind,
      VitalTrack
    >,
    ecg: {
      samples: new Int16Array(ECG_BUFFER_SAMPLES),
      written: 0,
      sampleRateHz: 250,
      receivedAt: 0,
      lastSeq: null,
    },
    stoppedAt: null,
    version: 0,
  }
}

/**
 * Whether a measurement is physically possible at all (`VITALS[kind].plausible`): anything else (NaN, a
 * negative pressure, 1e300) is a device or transfer error and never reaches a panel, an alarm or the record.
 * Anything possible is kept however far from normal: an SpO₂ of 45 % is the reading that matters most.
 */
export function isPlausible(measurement: Measurement): boolean {
  const { min, max } = VITALS[measurement.kind].plausible
  const inRange = (value: number) => Number.isFinite(value) && value >= min && value <= max
  if (!Number.isFinite(measurement.at)) return false
  if (measurement.kind === 'blood-pressure') {
    // Equal pressures are possible at a cuff's resolution (no measurable pulse pressure); diastolic above is not.
    return (
      inRange(measurement.systolic) &&
      inRange(measurement.diastolic) &&
      measurement.diastolic <= measurement.systolic &&
      (measurement.mean === undefined || inRange(measurement.mean))
    )
  }
  return inRange(measurement.value)
}

export type VitalsListener = (peerId: string, measurements: readonly Measurement[]) => void
/** An accepted ECG batch, with when its first sample was captured (by the sender's clock, ms). */
export type EcgListener = (peerId: string, batch: EcgBatch, capturedAt: number) => void

export class VitalsFeed {
  private readonly patients = new Map<string, PatientVitals>()
  private readonly listeners = new Set<VitalsListener>()
  private readonly ecgListeners = new Set<EcgListener>()

  get(peerId: string): PatientVitals | undefined {
    return this.patients.get(peerId)
  }

  peers(): string[] {
    return [...this.patients.keys()]
  }

  private patient(peerId: string): PatientVitals {
    let patient = this.patients.get(peerId)
    if (!patient) {
      patient = emptyPatient()
      this.patients.set(peerId, patient)
    }
    return patient
  }

  /** Numerics from `peerId`. Impossible values are dropped (see `isPlausible`); returns the accepted ones. */
  receive(peerId: string, measurements: readonly Measurement[], now: number): Measurement[] {
    const accepted = measurements.filter(isPlausible)
    if (accepted.length === 0) return accepted
    const patient = this.patient(peerId)
    patient.stoppedAt = null
    for (const measurement of accepted) {
      const track = patient.tracks[measurement.kind]
      track.latest = measurement
      track.receivedAt = now
      track.trendTimes[track.trendHead] = now
      track.trendValues[track.trendHead] = primaryValue(measurement)
      track.trendHead = (track.trendHead + 1) % TREND_SECONDS
      track.trendCount = Math.min(TREND_SECONDS, track.trendCount + 1)
    }
    patient.version += 1
    for (const listener of this.listeners) listener(peerId, accepted)
    return accepted
  }

  /** A batch of ECG samples from `peerId`, captured at `capturedAt` (sender's clock; `now` when not given). */
  receiveEcg(peerId: string, frame: EcgBatch, now: number, capturedAt = now) {
    const patient = this.patient(peerId)
    const strip = patient.ecg
    strip.sampleRateHz = frame.sampleRateHz
    // Only lead 0 is drawn; samples are interleaved by lead.
    const leads = Math.max(1, frame.leads)
    for (let i = 0; i < frame.samples.length; i += leads) {
      strip.samples[strip.written % strip.samples.length] = frame.samples[i] ?? 0
      strip.written += 1
    }
    strip.receivedAt = now
    strip.lastSeq = frame.seq
    patient.stoppedAt = null
    for (const listener of this.ecgListeners) listener(peerId, frame, capturedAt)
  }

  stop(peerId: string, now: number) {
    const patient = this.patients.get(peerId)
    if (!patient) return
    patient.stoppedAt = now
    patient.version += 1
  }

  remove(peerId: string) {
    this.patients.delete(peerId)
  }

  /** The call is over: nothing of it stays, listeners included. */
  clear() {
    this.patients.clear()
    this.listeners.clear()
    this.ecgListeners.clear()
  }

  /**
   * Called with every accepted ECG batch (the record): only what the vitals channel let in, so a waveform from
   * someone who is not the patient is never recorded. Returns the unsubscribe function.
   */
  subscribeEcg(listener: EcgListener): () => void {
    this.ecgListeners.add(listener)
    return () => {
      this.ecgListeners.delete(listener)
    }
  }

  /** Called with every accepted batch of numerics (alarms, the record). Returns the unsubscribe function. */
  subscribe(listener: VitalsListener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }
}

/** Trend points oldest first, as [time, value] pairs within the last `windowMs` before `now`. */
export function trendPoints(
  track: VitalTrack,
  now: number,
  windowMs = TREND_SECONDS * 1000,
): [number, number][] {
  const points: [number, number][] = []
  for (let i = track.trendCount; i > 0; i--) {
    const index = (track.trendHead - i + TREND_SECONDS) % TREND_SECONDS
    const at = track.trendTimes[index] ?? 0
    if (at >= now - windowMs) points.push([at, track.trendValues[index] ?? 0])
  }
  return points
}
