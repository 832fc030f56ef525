import { describe, expect, it } from 'vitest'
import {
  type ConnectionQuality,
  measureQuality,
  type QualityCounters,
  type RTCStatsLike,
  sampleQuality,
} from '../net/quality'
import {
  FPS_FLOOR,
  formatQuality,
  LOSS_LIMIT_PERCENT,
  poorConnectionSentence,
  qualityLevel,
  qualityWarnings,
  qualityWords,
  RTT_LIMIT_MS,
} from './quality-text'

// Fixtures copy the shapes Chromium's getStats() returns for a PeerJS media call (one transport, bundled audio and
// video) and for its data connection (a transport and a data channel), fields and id formats included. Times are
// the report timestamps (ms since the epoch), round trips in seconds, as the browser gives them.

const T0 = 1_732_650_000_000.25

interface Received {
  packetsReceived: number
  packetsLost: number
  bytesReceived: number
}

interface MediaSample {
  timestamp: number
  /** candidate-pair currentRoundTripTime, s; undefined before the first STUN response */
  rtt?: number
  audio: Received
  video?: Received & { framesDecoded: number; framesPerSecond?: number }
  audioSsrc?: number
  videoSsrc?: number
  /** remote-inbound-rtp roundTripTime for our outgoing audio, s */
  rtcpRtt?: number
}

function candidatePair(timestamp: number, id: string, extra: Record<string, unknown>) {
  return {
    id,
    timestamp,
    type: 'candidate-pair',
    transportId: 'T01',
    localCandidateId: id.slice(2, 11),
    remoteCandidateId: id.slice(12),
    state: 'succeeded',
    priority: 9114756780654476000,
    nominated: true,
    writable: true,
    packetsSent: 3120,
    packetsReceived: 3055,
    bytesSent: 2403311,
    bytesReceived: 2349922,
    totalRoundTripTime: 0.412,
    requestsReceived: 14,
    requestsSent: 1,
    responsesReceived: 12,
    responsesSent: 14,
    consentRequestsSent: 11,
    packetsDiscardedOnSend: 0,
    bytesDiscardedOnSend: 0,
    availableOutgoingBitrate: 1_200_000,
    lastPacketReceivedTimestamp: timestamp - 3,
    lastPacketSentTimestamp: timestamp - 2,
    ...extra,
  }
}

function mediaReport(s: MediaSample): RTCStatsLike[] {
  const { timestamp } = s
  const audioSsrc = s.audioSsrc ?? 2_915_002_113
  const videoSsrc = s.videoSsrc ?? 1_807_416_745
  const stats: Array<Record<string, unknown>> = [
    {
      id: 'P',
      timestamp,
      type: 'peer-connection',
      dataChannelsOpened: 0,
      dataChannelsClosed: 0,
    },
    {
      id: 'T01',
      timestamp,
      type: 'transport',
      bytesSent: 2403311,
      bytesReceived: 2349922,
      packetsSent: 3120,
      packetsReceived: 3055,
      dtlsState: 'connected',
      selectedCandidatePairId: 'CPgt3Fy0Ly_m0Y0eLdr',
      localCertificateId: 'CFB2:7F:1C',
      remoteCertificateId: 'CF4A:11:90',
      tlsVersion: 'FEFD',
      dtlsCipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      dtlsRole: 'client',
      srtpCipher: 'AES_CM_128_HMAC_SHA1_80',
      selectedCandidatePairChanges: 1,
      iceRole: 'controlling',
      iceLocalUsernameFragment: 'Xq3d',
      iceState: 'connected',
    },
    // The pair in use …
    candidatePair(
      timestamp,
      'CPgt3Fy0Ly_m0Y0eLdr',
      s.rtt === undefined ? {} : { currentRoundTripTime: s.rtt },
    ),
    // … and a leftover of the ICE checks, on a slower path, that must not count.
    candidatePair(timestamp, 'CPgt3Fy0Ly_Zr8kQ2aa', {
      state: 'succeeded',
      nominated: false,
      currentRoundTripTime: 0.9,
    }),
    {
      id: 'Igt3Fy0Ly',
      timestamp,
      type: 'local-candidate',
      transportId: 'T01',
      address: '192.168.1.20',
      port: 51_234,
      protocol: 'udp',
      candidateType: 'host',
      priority: 2122260223,
      isRemote: false,
    },
    {
      id: 'COT01_111_minptime=10;useinbandfec=1',
      timestamp,
      type: 'codec',
      transportId: 'T01',
      payloadType: 111,
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
    },
    {
      id: `IT01A${audioSsrc}`,
      timestamp,
      type: 'inbound-rtp',
      ssrc: audioSsrc,
      kind: 'audio',
      transportId: 'T01',
      codecId: 'CIT01_111_minptime=10;useinbandfec=1',
      trackIdentifier: '6e0d8f5e-3c1b-4c1a-9f54-bc2f0b0f3a11',
      mid: '0',
      jitter: 0.003,
      packetsLost: s.audio.packetsLost,
      packetsReceived: s.audio.packetsReceived,
      bytesReceived: s.audio.bytesReceived,
      headerBytesReceived: s.audio.packetsReceived * 12,
      packetsDiscarded: 0,
      fecPacketsReceived: 0,
      fecPacketsDiscarded: 0,
      lastPacketReceivedTimestamp: timestamp - 11,
      jitterBufferDelay: 48_211.2,
      jitterBufferTargetDelay: 50_112,
      jitterBufferMinimumDelay: 46_080,
      jitterBufferEmittedCount: 960_000,
      totalSamplesReceived: 1_011_840,
      concealedSamples: 1_920,
      silentConcealedSamples: 0,
      concealmentEvents: 2,
      insertedSamplesForDeceleration: 480,
      removedSamplesForAcceleration: 960,
      audioLevel: 0.018,
      totalAudioEnergy: 0.51,
      totalSamplesDuration: 21.08,
      playoutId: 'AP',
    },
    {
      id: `RIA${4_188_092_271}`,
      timestamp,
      type: 'remote-inbound-rtp',
      ssrc: 4_188_092_271,
      kind: 'audio',
      transportId: 'T01',
      codecId: 'COT01_111_minptime=10;useinbandfec=1',
      jitter: 0.002,
      packetsLost: 0,
      localId: `OT01A${4_188_092_271}`,
      totalRoundTripTime: 0.38,
      fractionLost: 0,
      roundTripTimeMeasurements: 9,
      ...(s.rtcpRtt === undefined ? {} : { roundTripTime: s.rtcpRtt }),
    },
    {
      id: `OT01A${4_188_092_271}`,
      timestamp,
      type: 'outbound-rtp',
      ssrc: 4_188_092_271,
      kind: 'audio',
      transportId: 'T01',
      packetsSent: 1050,
      bytesSent: 84_210,
      mediaSourceId: 'SA1',
      remoteId: `RIA${4_188_092_271}`,
      mid: '0',
      active: true,
    },
    {
      id: 'AP',
      timestamp,
      type: 'media-playout',
      kind: 'audio',
      synthesizedSamplesDuration: 0,
      synthesizedSamplesEvents: 0,
      totalSamplesDuration: 21.08,
      totalPlayoutDelay: 1.2,
      totalSamplesCount: 1_011_840,
    },
  ]
  if (s.video) {
    stats.push({
      id: `IT01V${videoSsrc}`,
      timestamp,
      type: 'inbound-rtp',
      ssrc: videoSsrc,
      kind: 'video',
      transportId: 'T01',
      codecId: 'CIT01_96',
      trackIdentifier: 'a4c7e2b1-77d0-4a5e-8a8e-0f2f6a5d6c01',
      mid: '1',
      jitter: 0.006,
      packetsLost: s.video.packetsLost,
      packetsReceived: s.video.packetsReceived,
      bytesReceived: s.video.bytesReceived,
      headerBytesReceived: s.video.packetsReceived * 28,
      lastPacketReceivedTimestamp: timestamp - 4,
      framesReceived: s.video.framesDecoded + 1,
      framesDecoded: s.video.framesDecoded,
      keyFramesDecoded: 2,
      framesDropped: 0,
      frameWidth: 640,
      frameHeight: 480,
      ...(s.video.framesPerSecond === undefined ? {} : { framesPerSecond: s.video.framesPerSecond }),
      totalDecodeTime: 1.9,
      totalInterFrameDelay: 20.6,
      totalSquaredInterFrameDelay: 0.7,
      pauseCount: 0,
      totalPausesDuration: 0,
      freezeCount: 0,
      totalFreezesDuration: 0,
      firCount: 0,
      pliCount: 1,
      nackCount: 3,
      qpSum: 14_220,
      decoderImplementation: 'libvpx',
      powerEfficientDecoder: false,
      jitterBufferDelay: 9.1,
      jitterBufferEmittedCount: 620,
    })
  }
  return stats as unknown as RTCStatsLike[]
}

/** PeerJS's data connection: its own peer connection, with a transport, a pair and a channel, but no RTP. */
function dataReport(timestamp: number, rtt: number): RTCStatsLike[] {
  return [
    { id: 'P', timestamp, type: 'peer-connection', dataChannelsOpened: 1, dataChannelsClosed: 0 },
    {
      id: 'T01',
      timestamp,
      type: 'transport',
      bytesReceived: 51_200,
      bytesSent: 50_990,
      dtlsState: 'connected',
      selectedCandidatePairId: 'CPa1B2c3D4_e5F6g7H8',
      iceState: 'connected',
    },
    candidatePair(timestamp, 'CPa1B2c3D4_e5F6g7H8', { currentRoundTripTime: rtt }),
    {
      id: 'D1',
      timestamp,
      type: 'data-channel',
      label: 'dc_x1y2z3',
      protocol: '',
      dataChannelIdentifier: 1,
      state: 'open',
      messagesSent: 22,
      bytesSent: 2100,
      messagesReceived: 22,
      bytesReceived: 2080,
    },
  ] as unknown as RTCStatsLike[]
}

/** Two media samples one second apart: 50 audio and 120 video packets a second, about 812 kbit/s, 30 fps. */
function healthyPair() {
  const first = mediaReport({
    timestamp: T0,
    rtt: 0.042,
    audio: { packetsReceived: 1000, packetsLost: 0, bytesReceived: 80_000 },
    video: {
      packetsReceived: 2400,
      packetsLost: 2,
      bytesReceived: 2_000_000,
      framesDecoded: 600,
      framesPerSecond: 30,
    },
  })
  const second = mediaReport({
    timestamp: T0 + 1000,
    rtt: 0.042,
    audio: { packetsReceived: 1050, packetsLost: 0, bytesReceived: 84_000 },
    video: {
      packetsReceived: 2520,
      packetsLost: 2,
      bytesReceived: 2_097_500,
      framesDecoded: 630,
      framesPerSecond: 30,
    },
  })
  return { first, second }
}

const GOOD: ConnectionQuality = { rttMs: 42, lossPercent: 0, bitrateKbps: 812, fps: 30 }
const VIDEO = { videoExpected: true }
const NO_VIDEO = { videoExpected: false }

describe('measureQuality', () => {
  it('measures round trip, loss, bitrate and frame rate over the interval between two samples', () => {
    const { first, second } = healthyPair()
    const a = measureQuality([first], null)
    const b = measureQuality([second], a.counters)
    // (4000 + 97 500) bytes in 1 s = 812 kbit/s; no new losses; the candidate pair's 42 ms, not the leftover's 900.
    expect(b.quality).toEqual(GOOD)
    expect(formatQuality(b.quality, VIDEO)).toBe('42 ms · 0.0 % loss · 812 kb/s · 30 fps')
  })

  it('knows round trip and frame rate at the first sample, but not yet loss or bitrate', () => {
    const { first } = healthyPair()
    expect(measureQuality([first], null).quality).toEqual({
      rttMs: 42,
      lossPercent: null,
      bitrateKbps: null,
      fps: 30,
    })
  })

  it('counts loss over the interval across audio and video, not since the call began', () => {
    const first = mediaReport({
      timestamp: T0,
      rtt: 0.05,
      // 300 packets lost earlier in the call must not weigh on this interval.
      audio: { packetsReceived: 1000, packetsLost: 300, bytesReceived: 80_000 },
      video: { packetsReceived: 2400, packetsLost: 0, bytesReceived: 2_000_000, framesDecoded: 600 },
    })
    const second = mediaReport({
      timestamp: T0 + 2000,
      rtt: 0.05,
      // Over 2 s: audio 90 received + 10 lost, video 160 received + 40 lost → 50 of 300 = 16.7 %.
      audio: { packetsReceived: 1090, packetsLost: 310, bytesReceived: 87_200 },
      video: { packetsReceived: 2560, packetsLost: 40, bytesReceived: 2_100_000, framesDecoded: 640 },
    })
    const b = measureQuality([second], measureQuality([first], null).counters)
    expect(b.quality.lossPercent).toBe(16.7)
    // (7200 + 100 000) bytes in 2 s.
    expect(b.quality.bitrateKbps).toBe(429)
    // No framesPerSecond field (older Chromium, Safari): frames decoded over the interval, 40 in 2 s.
    expect(b.quality.fps).toBe(20)
  })

  it('does not count late packets that lower the cumulative loss as negative loss', () => {
    const first = mediaReport({
      timestamp: T0,
      audio: { packetsReceived: 1000, packetsLost: 5, bytesReceived: 80_000 },
    })
    const second = mediaReport({
      timestamp: T0 + 1000,
      audio: { packetsReceived: 1052, packetsLost: 3, bytesReceived: 84_160 },
    })
    const b = measureQuality([second], measureQuality([first], null).counters)
    expect(b.quality.lossPercent).toBe(0)
  })

  it('starts fresh when the counters go down (a new connection under the same stream)', () => {
    const a = measureQuality([healthyPair().second], null)
    // The call was re-established with the same SSRCs: counters restart near zero.
    const restarted = mediaReport({
      timestamp: T0 + 2000,
      rtt: 0.03,
      audio: { packetsReceived: 40, packetsLost: 0, bytesReceived: 3_200 },
      video: {
        packetsReceived: 90,
        packetsLost: 0,
        bytesReceived: 70_000,
        framesDecoded: 20,
        framesPerSecond: 24,
      },
    })
    const b = measureQuality([restarted], a.counters)
    expect(b.quality).toEqual({ rttMs: 30, lossPercent: null, bitrateKbps: null, fps: 24 })
    // The next sample measures from the fresh start.
    const next = mediaReport({
      timestamp: T0 + 3000,
      rtt: 0.03,
      audio: { packetsReceived: 90, packetsLost: 0, bytesReceived: 7_200 },
      video: {
        packetsReceived: 200,
        packetsLost: 0,
        bytesReceived: 170_000,
        framesDecoded: 48,
        framesPerSecond: 28,
      },
    })
    expect(measureQuality([next], b.counters).quality).toEqual({
      rttMs: 30,
      lossPercent: 0,
      bitrateKbps: 832,
      fps: 28,
    })
  })

  it('starts fresh for streams with new SSRCs and forgets streams that are gone', () => {
    const { first } = healthyPair()
    const a = measureQuality([first], null)
    const renegotiated = mediaReport({
      timestamp: T0 + 1000,
      rtt: 0.042,
      audioSsrc: 11,
      videoSsrc: 12,
      // Higher than before, but a different stream: no difference may be taken.
      audio: { packetsReceived: 5000, packetsLost: 900, bytesReceived: 400_000 },
      video: {
        packetsReceived: 9000,
        packetsLost: 0,
        bytesReceived: 9_000_000,
        framesDecoded: 900,
        framesPerSecond: 30,
      },
    })
    const b = measureQuality([renegotiated], a.counters)
    expect(b.quality.lossPercent).toBeNull()
    expect(b.quality.bitrateKbps).toBeNull()
    expect(Object.keys(b.counters).sort()).toEqual(['audio:11', 'video:12'])
  })

  it('falls back to the RTCP round trip when the candidate pair has not measured one', () => {
    const report = mediaReport({
      timestamp: T0,
      rtcpRtt: 0.061,
      audio: { packetsReceived: 10, packetsLost: 0, bytesReceived: 800 },
    })
    // The leftover pair's 900 ms is still ignored: the transport names the pair in use.
    expect(measureQuality([report], null).quality.rttMs).toBe(61)
  })

  it('uses the nominated, succeeded pair when no transport names one', () => {
    const report = mediaReport({
      timestamp: T0,
      rtt: 0.12,
      audio: { packetsReceived: 10, packetsLost: 0, bytesReceived: 800 },
    }).filter((s) => s.type !== 'transport')
    expect(measureQuality([report], null).quality.rttMs).toBe(120)
  })

  it('takes the slower round trip of the data connection and the media call, whose ids overlap', () => {
    const { first } = healthyPair()
    expect(measureQuality([dataReport(T0, 0.35), first], null).quality.rttMs).toBe(350)
    expect(measureQuality([dataReport(T0, 0.01), first], null).quality.rttMs).toBe(42)
  })

  it('gives nulls, not guesses, for a data connection alone and for missing or odd fields', () => {
    expect(measureQuality([dataReport(T0, 0.02)], null).quality).toEqual({
      rttMs: 20,
      lossPercent: null,
      bitrateKbps: null,
      fps: null,
    })
    expect(measureQuality([], null).quality).toEqual({
      rttMs: null,
      lossPercent: null,
      bitrateKbps: null,
      fps: null,
    })
    const odd = [
      {
        type: 'inbound-rtp',
        kind: 'video',
        timestamp: T0,
        framesPerSecond: Number.NaN,
        packetsReceived: '12',
      },
      { type: 'inbound-rtp', kind: 'audio' },
      { type: 'candidate-pair', id: 'CP1', nominated: true, state: 'succeeded', currentRoundTripTime: -1 },
    ] as unknown as RTCStatsLike[]
    const a = measureQuality([odd], null)
    const b = measureQuality([odd.map((s) => ({ ...s, timestamp: T0 + 1000 }))], a.counters)
    expect(b.quality).toEqual({ rttMs: null, lossPercent: null, bitrateKbps: null, fps: null })
  })

  it('reports a frozen video as 0 fps from the decoded-frame count', () => {
    const first = mediaReport({
      timestamp: T0,
      audio: { packetsReceived: 1000, packetsLost: 0, bytesReceived: 80_000 },
      video: { packetsReceived: 2400, packetsLost: 0, bytesReceived: 2_000_000, framesDecoded: 600 },
    })
    const second = mediaReport({
      timestamp: T0 + 1000,
      audio: { packetsReceived: 1050, packetsLost: 0, bytesReceived: 84_000 },
      video: { packetsReceived: 2400, packetsLost: 0, bytesReceived: 2_000_000, framesDecoded: 600 },
    })
    const b = measureQuality([second], measureQuality([first], null).counters)
    expect(b.quality.fps).toBe(0)
    expect(qualityLevel(b.quality, VIDEO)).toBe('poor')
  })
})

describe('warnings', () => {
  it('has the thresholds the issue asks for', () => {
    expect([RTT_LIMIT_MS, LOSS_LIMIT_PERCENT, FPS_FLOOR]).toEqual([300, 10, 15])
  })

  it('warns only beyond each threshold, not at it', () => {
    const atLimits: ConnectionQuality = { rttMs: 300, lossPercent: 10, bitrateKbps: 90, fps: 15 }
    expect(qualityWarnings(atLimits, VIDEO)).toEqual([])
    // At the poor limits it is not poor, only fair.
    expect(qualityLevel(atLimits, VIDEO)).toBe('fair')
    expect(poorConnectionSentence(atLimits, VIDEO)).toBeNull()
    const beyond: ConnectionQuality = { rttMs: 301, lossPercent: 10.1, bitrateKbps: 90, fps: 14 }
    expect(qualityWarnings(beyond, VIDEO)).toEqual([
      'round trip 301 ms (over 300 ms)',
      '10.1 % packet loss (over 10 %)',
      'video 14 fps (under 15 fps)',
    ])
  })

  it('says plainly what is wrong', () => {
    const slow: ConnectionQuality = { ...GOOD, rttMs: 420 }
    expect(qualityLevel(slow, VIDEO)).toBe('poor')
    expect(poorConnectionSentence(slow, VIDEO)).toBe('Poor connection: round trip 420 ms (over 300 ms).')
    expect(poorConnectionSentence({ ...slow, lossPercent: 12.5 }, VIDEO)).toBe(
      'Poor connection: round trip 420 ms (over 300 ms), 12.5 % packet loss (over 10 %).',
    )
  })

  it('says in words how the connection is: good, fair with the reason, or poor with the reason', () => {
    expect(qualityWords(GOOD, VIDEO)).toEqual({ level: 'good', text: 'Good connection' })
    expect(qualityWords({ ...GOOD, rttMs: 180 }, VIDEO)).toEqual({
      level: 'fair',
      text: 'Fair connection: some delay (round trip 180 ms)',
    })
    expect(qualityWords({ ...GOOD, lossPercent: 4, fps: 20 }, VIDEO)).toEqual({
      level: 'fair',
      text: 'Fair connection: some packets lost (4.0 %), video at 20 fps',
    })
    expect(qualityWords({ ...GOOD, rttMs: 420 }, VIDEO)).toEqual({
      level: 'poor',
      text: 'Poor connection: round trip 420 ms (over 300 ms)',
    })
    // At the fair limits exactly, still good.
    expect(qualityLevel({ rttMs: 150, lossPercent: 3, bitrateKbps: 900, fps: 24 }, VIDEO)).toBe('good')
  })

  it('does not warn about frame rate when the camera is off, nor about values not measured yet', () => {
    const cameraOff: ConnectionQuality = { ...GOOD, fps: 1 }
    expect(qualityLevel(cameraOff, NO_VIDEO)).toBe('good')
    expect(qualityLevel(cameraOff, VIDEO)).toBe('poor')
    const unknown: ConnectionQuality = { rttMs: null, lossPercent: null, bitrateKbps: null, fps: null }
    expect(qualityLevel(unknown, VIDEO)).toBe('good')
  })
})

describe('formatQuality', () => {
  it('leaves out unknown values, and frame rate when the camera is off', () => {
    expect(formatQuality({ ...GOOD, lossPercent: null, bitrateKbps: null }, VIDEO)).toBe('42 ms · 30 fps')
    expect(formatQuality(GOOD, NO_VIDEO)).toBe('42 ms · 0.0 % loss · 812 kb/s')
    expect(formatQuality({ rttMs: null, lossPercent: null, bitrateKbps: null, fps: null }, VIDEO)).toBe('')
  })

  it('takes another separator for the 3D captions, whose font has no middle dot', () => {
    expect(formatQuality(GOOD, { ...VIDEO, separator: ' | ' })).toBe('42 ms | 0.0 % loss | 812 kb/s | 30 fps')
  })

  it('can keep each value on one line with a no-break space before its unit', () => {
    expect(formatQuality(GOOD, { ...VIDEO, unitSpace: '\u00a0' })).toBe(
      '42\u00a0ms · 0.0\u00a0%\u00a0loss · 812\u00a0kb/s · 30\u00a0fps',
    )
  })
})

describe('sampleQuality', () => {
  /** Just the part of an RTCPeerConnection that sampleQuality uses. */
  function fakePc(state: RTCPeerConnectionState, stats: () => Promise<RTCStatsLike[]>) {
    return {
      connectionState: state,
      getStats: () => stats().then((list) => new Map(list.map((s, i) => [s.id ?? String(i), s]))),
    } as unknown as RTCPeerConnection
  }

  it('reads every open connection, skips closed ones and survives a failing getStats', async () => {
    const { first, second } = healthyPair()
    const closed = fakePc('closed', async () => dataReport(T0, 2))
    const failing = fakePc('connected', () => Promise.reject(new Error('InvalidStateError')))
    const a = await sampleQuality(
      [
        fakePc('connected', async () => first),
        closed,
        failing,
        fakePc('connected', async () => dataReport(T0, 0.03)),
      ],
      null,
    )
    expect(a.quality.rttMs).toBe(42)
    const b = await sampleQuality([fakePc('connected', async () => second), closed, failing], a.counters)
    expect(b.quality).toEqual(GOOD)
  })

  it('returns counters that are plain data, to keep on the link between samples', async () => {
    const { first } = healthyPair()
    const a = await sampleQuality([fakePc('connected', async () => first)], null)
    const counters: QualityCounters = JSON.parse(JSON.stringify(a.counters))
    expect(counters).toEqual(a.counters)
  })
})
