// How loud the microphone is, for the check-in's level meter: the RMS of a Web Audio AnalyserNode's samples in
// dBFS, and the meter's fill for it. The math is pure (tested in Node); `createLevelMeter` wires it to a stream.

/** Quietest level the meter shows, dBFS: below it the bar is empty (a quiet room after noise suppression). */
export const METER_FLOOR_DBFS = -60

/** Root mean square of samples in [-1, 1], in dBFS (0 is full scale); -Infinity for silence. */
export function rmsDbfs(samples: ArrayLike<number>): number {
  if (samples.length === 0) return Number.NEGATIVE_INFINITY
  let sum = 0
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0
    sum += s * s
  }
  const rms = Math.sqrt(sum / samples.length)
  return rms > 0 ? 20 * Math.log10(rms) : Number.NEGATIVE_INFINITY
}

/** The meter's fill, 0..1: linear in dB from METER_FLOOR_DBFS (empty) to 0 dBFS (full), as a VU meter reads. */
export function meterFraction(dbfs: number): number {
  if (!(dbfs > METER_FLOOR_DBFS)) return 0
  return Math.min(1, (dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS)
}

export interface LevelMeter {
  /** The level now, dBFS. */
  read(): number
  /** Whether the browser holds audio processing back until a click or key press (autoplay policy). */
  suspended(): boolean
  /** Tries to start audio processing; call it from a click or key press. */
  resume(): Promise<void>
  close(): void
}

/**
 * An analyser on the stream's audio. 2048 samples is about 43 ms at 48 kHz: a syllable is longer, so a reading
 * every animation frame or so sees every one. Null where Web Audio is missing. With `shared`, the analyser runs
 * in that context (several meters, one context: browsers cap how many a page may open) and closing the meter
 * leaves the context open.
 */
export function createLevelMeter(stream: MediaStream, shared?: AudioContext): LevelMeter | null {
  if (typeof AudioContext === 'undefined' || stream.getAudioTracks().length === 0) return null
  const context = shared ?? new AudioContext()
  const source = context.createMediaStreamSource(stream)
  const analyser = context.createAnalyser()
  analyser.fftSize = 2048
  // Not connected to the speakers: hearing oneself would echo.
  source.connect(analyser)
  const samples = new Float32Array(analyser.fftSize)
  return {
    read() {
      analyser.getFloatTimeDomainData(samples)
      return rmsDbfs(samples)
    },
    suspended: () => context.state === 'suspended',
    resume: () => context.resume().catch(() => {}),
    close() {
      source.disconnect()
      if (!shared) void context.close().catch(() => {})
    },
  }
}

/** Length of the speaker test tone, s: long enough to notice, short enough not to startle. */
export const TEST_TONE_SECONDS = 1.2

/**
 * Plays a soft 440 Hz tone (concert A, in every speaker's range) through the default output; resolves when it has
 * finished. Rejects where Web Audio is missing.
 */
export async function playTestTone(): Promise<void> {
  if (typeof AudioContext === 'undefined') throw new Error('no Web Audio')
  const context = new AudioContext()
  try {
    await context.resume()
    const oscillator = context.createOscillator()
    const gain = context.createGain()
    oscillator.frequency.value = 440
    const t = context.currentTime
    // Faded in and out over 50 ms: a tone that starts at full level clicks.
    gain.gain.setValueAtTime(0, t)
    gain.gain.linearRampToValueAtTime(0.2, t + 0.05)
    gain.gain.setValueAtTime(0.2, t + TEST_TONE_SECONDS - 0.05)
    gain.gain.linearRampToValueAtTime(0, t + TEST_TONE_SECONDS)
    oscillator.connect(gain).connect(context.destination)
    const ended = new Promise<void>((resolve) => {
      oscillator.onended = () => resolve()
    })
    oscillator.start(t)
    oscillator.stop(t + TEST_TONE_SECONDS)
    await ended
  } finally {
    void context.close().catch(() => {})
  }
}
