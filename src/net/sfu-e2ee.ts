// End-to-end encryption of the media a call sends through a Janus SFU: every encoded audio and video frame is
// encrypted with the room's media key (./sfu-keys.ts) before it is packetized, and decrypted after it is
// reassembled, in a module worker (./sfu-e2ee-worker.ts), so Janus forwards frames it cannot read or change.
//
// API (one SfuE2ee per call: created on join, disposed on leave)
//   e2eeSupport()                      → 'script-transform' | 'encoded-streams' | 'none'
//   SfuE2ee.start(room)                → derives the media key, starts the worker and hands it the key
//   .protectSender(sender)             → frames of this RTCRtpSender leave encrypted (none leave before the key)
//   .protectReceiver(receiver)         → frames of this RTCRtpReceiver are decrypted; unauthentic ones dropped
//   .stats()                           → frames passed and dropped (by reason) per protected sender and receiver
//   .dispose()                         → stops the worker
//   preferVp8(transceiver)             → VP8 first: the clear-prefix rule (./sfu-crypto.ts) is VP8's
//
// Which browser API: RTCRtpScriptTransform, the standard one (Firefox, Safari, and Chromium: checked in this
// project's Chromium 156, which has both it and the older `createEncodedStreams`). Only RTCRtpScriptTransform is
// used: it runs the transform in our worker without the page ever touching a frame, and it needs no
// `encodedInsertableStreams: true` in the RTCPeerConnection configuration (which would affect every stream of
// the connection). A browser without it gets `e2eeSupport() !== 'script-transform'`, and must not be offered the
// SFU path: media through Janus is never sent unencrypted.
import type { Room } from '../room/invite'
import type { TransformOptions, TransformStats } from './sfu-frame-transform'
import { deriveSfuRoom } from './sfu-keys'

export type { TransformOptions, TransformStats }

export type E2eeSupport = 'script-transform' | 'encoded-streams' | 'none'

/** What the page tells the worker. */
export type ToWorker =
  | { type: 'key'; keyId: number; key: CryptoKey }
  | { type: 'send-key'; keyId: number }
  | { type: 'stats'; requestId: number }
/** What the worker answers. */
export type FromWorker = { type: 'stats'; requestId: number; stats: Record<string, TransformStats> }

export class E2eeUnsupportedError extends Error {
  constructor() {
    super('This browser cannot encrypt media end to end (no RTCRtpScriptTransform)')
    this.name = 'E2eeUnsupportedError'
  }
}

export function e2eeSupport(): E2eeSupport {
  if (typeof RTCRtpScriptTransform === 'function') return 'script-transform'
  if (typeof RTCRtpSender !== 'undefined' && 'createEncodedStreams' in RTCRtpSender.prototype) {
    return 'encoded-streams'
  }
  return 'none'
}

/**
 * Puts VP8 (and the retransmission and error-correction entries that go with any codec) first in a transceiver's
 * codec list. The encrypted frame keeps VP8's header in clear for the SFU; other codecs' packetizers (H.264's,
 * AV1's) parse the frame's bytes and would break on ciphertext. Does nothing where VP8 is not offered.
 */
export function preferVp8(transceiver: RTCRtpTransceiver) {
  const codecs = RTCRtpReceiver.getCapabilities('video')?.codecs ?? []
  const isVp8 = (codec: RTCRtpCodec) => codec.mimeType.toLowerCase() === 'video/vp8'
  if (!codecs.some(isVp8)) return
  transceiver.setCodecPreferences([...codecs.filter(isVp8), ...codecs.filter((codec) => !isVp8(codec))])
}

export class SfuE2ee {
  private nextRequest = 0
  private nextId = 0
  private readonly pending = new Map<number, (stats: Record<string, TransformStats>) => void>()

  private constructor(private readonly worker: Worker) {
    worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
      if (data.type !== 'stats') return
      this.pending.get(data.requestId)?.(data.stats)
      this.pending.delete(data.requestId)
    }
  }

  /** Derives the room's media key and hands it to a new worker. Rejects with E2eeUnsupportedError where needed. */
  static async start(room: Room): Promise<SfuE2ee> {
    if (e2eeSupport() !== 'script-transform') throw new E2eeUnsupportedError()
    const { mediaKey, mediaKeyId } = await deriveSfuRoom(room)
    // Vite bundles the worker from this URL into our own origin (the CSP's worker-src 'self').
    const worker = new Worker(new URL('./sfu-e2ee-worker.ts', import.meta.url), {
      type: 'module',
      name: 'sfu-e2ee',
    })
    const e2ee = new SfuE2ee(worker)
    e2ee.post({ type: 'key', keyId: mediaKeyId, key: mediaKey })
    e2ee.post({ type: 'send-key', keyId: mediaKeyId })
    return e2ee
  }

  private post(message: ToWorker) {
    this.worker.postMessage(message)
  }

  /** Encrypts every frame `sender` sends from now on. Returns the id its stats are under. */
  protectSender(sender: RTCRtpSender, kind = sender.track?.kind): string {
    return this.attach(sender, 'encrypt', kind)
  }

  /** Decrypts every frame `receiver` receives; frames that do not authenticate are dropped. */
  protectReceiver(receiver: RTCRtpReceiver): string {
    return this.attach(receiver, 'decrypt', receiver.track.kind)
  }

  private attach(
    target: RTCRtpSender | RTCRtpReceiver,
    operation: TransformOptions['operation'],
    kind: string | undefined,
  ): string {
    if (kind !== 'audio' && kind !== 'video')
      throw new TypeError('Protect a sender or receiver of audio or video')
    const options: TransformOptions = { operation, kind, id: `${operation}-${kind}-${this.nextId++}` }
    target.transform = new RTCRtpScriptTransform(this.worker, options)
    return options.id
  }

  /** Frames passed and dropped so far, by protected sender and receiver id. */
  stats(): Promise<Record<string, TransformStats>> {
    const requestId = this.nextRequest++
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve)
      this.post({ type: 'stats', requestId })
    })
  }

  /** Stops the worker: protected senders send nothing more and receivers decode nothing more. */
  dispose() {
    this.worker.terminate()
    for (const resolve of this.pending.values()) resolve({})
    this.pending.clear()
  }
}
