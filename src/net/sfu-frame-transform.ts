// The stream that encrypts or decrypts one sender's or receiver's encoded frames: what ./sfu-e2ee-worker.ts puts
// between an RTCRtpScriptTransformer's readable and writable. Kept apart from the worker (which only wires browser
// events to it) so that Node tests can push frames through it.
//
// API
//   MediaKeyring                               .set(keyId, key), .sendWith(keyId), .get(keyId), .sending()
//   createFrameTransform(options, keyring)     → { stream: TransformStream<EncodedFrame>, stats: TransformStats }
//
// A sender without a key drops its frames (nothing leaves unencrypted); a receiver drops every frame that does not
// authenticate (nothing attacker-made reaches the decoder). Frames are handled one at a time, in order.
import { clearPrefixLength, decryptFrame, encryptFrame } from './sfu-crypto'

/** What the transform uses of RTCEncodedVideoFrame / RTCEncodedAudioFrame. */
export interface EncodedFrame {
  data: ArrayBuffer
  type?: string
}

/** The options each RTCRtpScriptTransform carries to the worker. */
export interface TransformOptions {
  operation: 'encrypt' | 'decrypt'
  kind: 'audio' | 'video'
  /** Names the sender or receiver in stats. */
  id: string
}

export interface TransformStats {
  operation: TransformOptions['operation']
  kind: TransformOptions['kind']
  /** Frames encrypted (sender) or decrypted and authenticated (receiver). */
  passed: number
  /** Frames dropped, by reason: 'no-key', 'encrypt-failed', or a FrameRejection ('unauthentic', …). */
  dropped: Record<string, number>
}

export function isTransformOptions(value: unknown): value is TransformOptions {
  if (typeof value !== 'object' || value === null) return false
  const options = value as Record<string, unknown>
  return (
    (options.operation === 'encrypt' || options.operation === 'decrypt') &&
    (options.kind === 'audio' || options.kind === 'video') &&
    typeof options.id === 'string'
  )
}

/** The media keys a call knows, by key id, and the one its senders use. */
export class MediaKeyring {
  private readonly keys = new Map<number, CryptoKey>()
  private sendKeyId: number | null = null

  set(keyId: number, key: CryptoKey) {
    this.keys.set(keyId, key)
  }

  sendWith(keyId: number) {
    this.sendKeyId = keyId
  }

  get(keyId: number): CryptoKey | undefined {
    return this.keys.get(keyId)
  }

  /** The senders' key and its id, or null while there is none (then senders drop their frames). */
  sending(): { keyId: number; key: CryptoKey } | null {
    const key = this.sendKeyId === null ? undefined : this.keys.get(this.sendKeyId)
    return key && this.sendKeyId !== null ? { keyId: this.sendKeyId, key } : null
  }
}

export function createFrameTransform(
  options: TransformOptions,
  keyring: MediaKeyring,
): { stream: TransformStream<EncodedFrame, EncodedFrame>; stats: TransformStats } {
  const stats: TransformStats = { operation: options.operation, kind: options.kind, passed: 0, dropped: {} }
  const drop = (reason: string) => {
    stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1
  }
  const stream = new TransformStream<EncodedFrame, EncodedFrame>({
    async transform(frame, controller) {
      // An empty frame carries nothing to protect or to check (the encoder's "nothing changed").
      if (frame.data.byteLength === 0) {
        controller.enqueue(frame)
        return
      }
      const clearBytes = clearPrefixLength(options.kind, frame.type)
      if (options.operation === 'encrypt') {
        const sending = keyring.sending()
        if (!sending) return drop('no-key')
        try {
          frame.data = await encryptFrame(sending.key, sending.keyId, frame.data, clearBytes)
        } catch {
          // A throw would error the stream and stop this sender for good; one lost frame is recovered from.
          return drop('encrypt-failed')
        }
      } else {
        const result = await decryptFrame((keyId) => keyring.get(keyId), frame.data, clearBytes)
        if (!result.ok) return drop(result.reason)
        frame.data = result.data
      }
      stats.passed++
      controller.enqueue(frame)
    },
  })
  return { stream, stats }
}
