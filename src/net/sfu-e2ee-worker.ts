// The module worker that encrypts and decrypts encoded media frames for ./sfu-e2ee.ts. The browser hands it one
// `rtctransform` event per protected RTCRtpSender or RTCRtpReceiver (RTCRtpScriptTransform); each event's frames
// pass through ./sfu-frame-transform.ts on their way between encoder and packetizer, or depacketizer and decoder.
//
// Messages in (ToWorker, ./sfu-e2ee.ts): 'key' (a media key by id, as a CryptoKey: structured clone keeps it
// non-extractable), 'send-key' (which key id senders use), 'stats'. Out (FromWorker): 'stats'.
import type { FromWorker, ToWorker } from './sfu-e2ee'
import {
  createFrameTransform,
  type EncodedFrame,
  isTransformOptions,
  MediaKeyring,
  type TransformStats,
} from './sfu-frame-transform'

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

const keyring = new MediaKeyring()
const stats = new Map<string, TransformStats>()

scope.onmessage = ({ data }) => {
  switch (data.type) {
    case 'key':
      keyring.set(data.keyId, data.key)
      break
    case 'send-key':
      keyring.sendWith(data.keyId)
      break
    case 'stats':
      scope.postMessage({ type: 'stats', requestId: data.requestId, stats: Object.fromEntries(stats) })
      break
    default:
      data satisfies never
  }
}

scope.onrtctransform = ({ transformer }) => {
  if (!isTransformOptions(transformer.options)) return
  const transform = createFrameTransform(transformer.options, keyring)
  stats.set(transformer.options.id, transform.stats)
  // The pipe ends when the sender or receiver goes away; nothing is left to do then.
  transformer.readable
    .pipeThrough(transform.stream)
    .pipeTo(transformer.writable)
    .catch(() => undefined)
}
