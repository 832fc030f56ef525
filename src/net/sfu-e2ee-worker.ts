// The module worker that encrypts and decrypts encoded media frames for ./sfu-e2ee.ts. The browser hands it one
// `rtctransform` event per protected RTCRtpSender or RTCRtpReceiver (RTCRtpScriptTransform); each frame passes
// through ./sfu-crypto.ts on its way between encoder and packetizer, or depacketizer and decoder. Frames are
// handled one at a time in order (a TransformStream waits for each transform), so their order is kept.
//
// Messages in (ToWorker, ./sfu-e2ee.ts): 'key' (a media key by id, as a CryptoKey: structured clone keeps it
// non-extractable), 'send-key' (which key id senders use), 'stats'. Out (FromWorker): 'stats'.
// A sender without a key sends nothing and a receiver without the frame's key drops it: no frame ever leaves
// unencrypted, and no frame that failed authentication ever reaches a decoder.
import { clearPrefixLength, decryptFrame, encryptFrame } from './sfu-crypto'
import type { FromWorker, ToWorker, TransformOptions, TransformStats } from './sfu-e2ee'

/** What this worker uses of RTCEncodedVideoFrame / RTCEncodedAudioFrame. */
interface EncodedFrame {
  data: ArrayBuffer
  type?: string
}

/** RTCRtpScriptTransformer and the worker scope, declared here: the app compiles against DOM types, not worker ones. */
interface ScriptTransformer {
  readonly readable: ReadableStream<EncodedFrame>
  readonly writable: WritableStream<EncodedFrame>
  readonly options: unknown
}
interface TransformWorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null
  onrtctransform: ((event: { transformer: ScriptTransformer }) => void) | null
  postMessage(message: FromWorker): void
}
const scope = self as unknown as TransformWorkerScope

const keys = new Map<number, CryptoKey>()
let sendKeyId: number | null = null
const stats = new Map<string, TransformStats>()

function isOptions(value: unknown): value is TransformOptions {
  if (typeof value !== 'object' || value === null) return false
  const options = value as Record<string, unknown>
  return (
    (options.operation === 'encrypt' || options.operation === 'decrypt') &&
    (options.kind === 'audio' || options.kind === 'video') &&
    typeof options.id === 'string'
  )
}

scope.onmessage = ({ data }) => {
  switch (data.type) {
    case 'key':
      keys.set(data.keyId, data.key)
      break
    case 'send-key':
      sendKeyId = data.keyId
      break
    case 'stats':
      scope.postMessage({ type: 'stats', requestId: data.requestId, stats: Object.fromEntries(stats) })
      break
    default:
      data satisfies never
  }
}

scope.onrtctransform = ({ transformer }) => {
  const options = transformer.options
  if (!isOptions(options)) return
  const counts: TransformStats = { operation: options.operation, kind: options.kind, passed: 0, dropped: {} }
  stats.set(options.id, counts)
  const drop = (reason: string) => {
    counts.dropped[reason] = (counts.dropped[reason] ?? 0) + 1
  }
  const transform = new TransformStream<EncodedFrame, EncodedFrame>({
    async transform(frame, controller) {
      // An empty frame carries nothing to protect or to check (the encoder's "nothing changed").
      if (frame.data.byteLength === 0) {
        controller.enqueue(frame)
        return
      }
      const clearBytes = clearPrefixLength(options.kind, frame.type)
      if (options.operation === 'encrypt') {
        const key = sendKeyId === null ? undefined : keys.get(sendKeyId)
        if (!key || sendKeyId === null) return drop('no-key')
        try {
          frame.data = await encryptFrame(key, sendKeyId, frame.data, clearBytes)
        } catch {
          // A throw would error the stream and stop this sender for good; one lost frame is recovered from.
          return drop('encrypt-failed')
        }
      } else {
        const result = await decryptFrame((id) => keys.get(id), frame.data, clearBytes)
        if (!result.ok) return drop(result.reason)
        frame.data = result.data
      }
      counts.passed++
      controller.enqueue(frame)
    },
  })
  // The pipe ends when the sender or receiver goes away; nothing is left to do then.
  transformer.readable
    .pipeThrough(transform)
    .pipeTo(transformer.writable)
    .catch(() => undefined)
}
