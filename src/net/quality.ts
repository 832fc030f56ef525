// Connection quality of one remote participant, from the WebRTC stats of the peer connections we hold with
// them: round trip, packet loss, bitrate and frame rate of what we receive (src/ui/quality-text.ts says what
// that means for a consultation). Pure apart from `sampleQuality`, which only calls getStats().
//
// Stats dictionaries differ between browsers and versions (Chromium, Firefox and Safari each omit some
// fields), so every field is read as unknown and checked; a missing value gives null, never a guess.

export interface ConnectionQuality {
  /** Round trip of the selected ICE candidate pair, ms (rounded). */
  rttMs: number | null
  /** Packets lost of those expected since the previous sample, audio and video together, % (one decimal). */
  lossPercent: number | null
  /** RTP payload received since the previous sample, audio and video together, kbit/s (rounded). */
  bitrateKbps: number | null
  /** Frames decoded per second of their video, frames/s (rounded). */
  fps: number | null
}

/** The least a stats entry has; `[...report.values()]` of an RTCStatsReport gives an array of these. */
export interface RTCStatsLike {
  readonly type: string
  readonly id?: string
}

/** Cumulative counters of one received RTP stream at one sample, to take differences against the next. */
export interface StreamCounters {
  /** Stats timestamp, ms. */
  timestamp: number
  packetsReceived: number | null
  packetsLost: number | null
  bytesReceived: number | null
  framesDecoded: number | null
}

/** The counters of every received stream at the previous sample, keyed by kind and SSRC. */
export type QualityCounters = Readonly<Record<string, StreamCounters>>

export interface QualitySample {
  quality: ConnectionQuality
  /** Pass these back as `previous` with the next sample. */
  counters: QualityCounters
}

function field(stat: RTCStatsLike, name: string): unknown {
  return (stat as unknown as Record<string, unknown>)[name]
}

/** A finite, non-negative number, or null (missing, NaN, a string from an odd implementation). */
function count(stat: RTCStatsLike, name: string): number | null {
  const value = field(stat, name)
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null
}

/** Like `count`, but packetsLost may legitimately be negative (duplicates outnumber losses). */
function signedCount(stat: RTCStatsLike, name: string): number | null {
  const value = field(stat, name)
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function maxOf(values: Array<number | null>): number | null {
  let max: number | null = null
  for (const value of values) if (value !== null && (max === null || value > max)) max = value
  return max
}

/** The ICE round trip of one peer connection, seconds, or null when it has not been measured. */
function roundTripSeconds(report: readonly RTCStatsLike[]): number | null {
  const pairs = report.filter((s) => s.type === 'candidate-pair')
  // The pair in use: the transport names it (spec, Chromium); Firefox flags it `selected`; failing both, the
  // nominated pair that succeeded. Other pairs are leftovers of ICE checks: their round trips mean nothing.
  const selectedIds = new Set(
    report.filter((s) => s.type === 'transport').map((s) => field(s, 'selectedCandidatePairId')),
  )
  let inUse = pairs.filter((p) => p.id !== undefined && selectedIds.has(p.id))
  if (inUse.length === 0) inUse = pairs.filter((p) => field(p, 'selected') === true)
  if (inUse.length === 0) {
    inUse = pairs.filter((p) => field(p, 'nominated') === true && field(p, 'state') === 'succeeded')
  }
  const pairRtt = maxOf(inUse.map((p) => count(p, 'currentRoundTripTime')))
  if (pairRtt !== null) return pairRtt
  // Without an ICE measurement, the RTCP round trip the other side reports for our own outgoing streams.
  return maxOf(report.filter((s) => s.type === 'remote-inbound-rtp').map((s) => count(s, 'roundTripTime')))
}

function streamKey(stat: RTCStatsLike): string {
  // SSRCs are random 32-bit numbers chosen per stream, so a new connection (or a renegotiated track) gets a
  // new key and starts fresh; the report-local id is only a fallback, as two peer connections reuse ids.
  const ssrc = field(stat, 'ssrc')
  return `${String(field(stat, 'kind'))}:${typeof ssrc === 'number' ? ssrc : String(stat.id)}`
}

/**
 * The quality of this sample, from the stats of every peer connection held with one participant (one array
 * per connection, as `[...report.values()]` gives) and the counters returned by the previous call (null at
 * first). Loss and bitrate are taken over the time since the previous sample, so they are null on the first.
 */
export function measureQuality(
  reports: ReadonlyArray<readonly RTCStatsLike[]>,
  previous: QualityCounters | null,
): QualitySample {
  const counters: Record<string, StreamCounters> = {}
  let lost = 0
  let expected = 0
  let lossKnown = false
  let bitsPerSecond = 0
  let bitrateKnown = false
  const fpsValues: Array<number | null> = []

  for (const stat of reports.flat()) {
    if (stat.type !== 'inbound-rtp') continue
    const timestamp = count(stat, 'timestamp')
    if (timestamp === null) continue
    const key = streamKey(stat)
    const now: StreamCounters = {
      timestamp,
      packetsReceived: count(stat, 'packetsReceived'),
      packetsLost: signedCount(stat, 'packetsLost'),
      bytesReceived: count(stat, 'bytesReceived'),
      framesDecoded: count(stat, 'framesDecoded'),
    }
    counters[key] = now
    const before = previous?.[key]
    const seconds = before ? (now.timestamp - before.timestamp) / 1000 : 0
    // Any counter going down means a different stream behind the same key (a new connection): a fresh start,
    // with nothing to compare against until the next sample.
    const comparable =
      before !== undefined &&
      seconds > 0 &&
      !wentDown(before.packetsReceived, now.packetsReceived) &&
      !wentDown(before.bytesReceived, now.bytesReceived) &&
      !wentDown(before.framesDecoded, now.framesDecoded)

    if (comparable && before) {
      if (
        before.packetsReceived !== null &&
        now.packetsReceived !== null &&
        before.packetsLost !== null &&
        now.packetsLost !== null
      ) {
        const received = now.packetsReceived - before.packetsReceived
        // Late or duplicate packets lower the cumulative loss count; they are not negative loss.
        const lostHere = Math.max(0, now.packetsLost - before.packetsLost)
        lost += lostHere
        expected += received + lostHere
        lossKnown = true
      }
      if (before.bytesReceived !== null && now.bytesReceived !== null) {
        bitsPerSecond += ((now.bytesReceived - before.bytesReceived) * 8) / seconds
        bitrateKnown = true
      }
    }

    if (field(stat, 'kind') === 'video') {
      const reported = count(stat, 'framesPerSecond')
      if (reported !== null) fpsValues.push(reported)
      else if (comparable && before?.framesDecoded != null && now.framesDecoded !== null) {
        fpsValues.push((now.framesDecoded - before.framesDecoded) / seconds)
      }
    }
  }

  const rtt = maxOf(reports.map(roundTripSeconds))
  // Rounded here to what is shown, so that a warning never says "300 ms (over 300 ms)".
  const fps = maxOf(fpsValues)
  return {
    quality: {
      rttMs: rtt === null ? null : Math.round(rtt * 1000),
      // No packet expected in the interval (nothing sent to us) says nothing about loss.
      lossPercent: lossKnown && expected > 0 ? Math.round((lost / expected) * 1000) / 10 : null,
      bitrateKbps: bitrateKnown ? Math.round(bitsPerSecond / 1000) : null,
      fps: fps === null ? null : Math.round(fps),
    },
    counters,
  }
}

function wentDown(before: number | null, now: number | null): boolean {
  return before !== null && now !== null && now < before
}

/**
 * Reads the stats of every open peer connection held with one participant (the data connection's and the media
 * call's) and measures them against the previous sample. A connection whose getStats() fails is left out.
 */
export async function sampleQuality(
  pcs: readonly RTCPeerConnection[],
  previous: QualityCounters | null,
): Promise<QualitySample> {
  const reports = await Promise.all(
    pcs
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) =>
        pc.getStats().then(
          (report): RTCStatsLike[] => [...report.values()],
          (): RTCStatsLike[] => [],
        ),
      ),
  )
  return measureQuality(reports, previous)
}
