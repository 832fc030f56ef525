// The features' channels of one call, wired to its store and feeds, and the two switches that hand every feature
// message and every replicated op to the channel that owns it. Adding a feature is a line in each place; the
// mesh carries it without knowing it.
import { createGuidanceChannel } from '../annotations/channel'
import type { SpaceFeed } from '../annotations/space'
import type { ReceivedPlan } from '../care/aftercare'
import { createAftercareChannel } from '../care/channel'
import { createScreeningChannel } from '../care/screening-channel'
import { createChatChannel } from '../chat/channel'
import type { PlaybackCounts } from '../lib/playback'
import type { CallMesh, DistributiveOmit, FeatureMessage, MeshPeer } from '../net/call-mesh'
import type { Chunk } from '../net/chunks'
import type { Frame } from '../net/frames'
import { assertNever } from '../net/protocol'
import { createHandsChannel } from '../room/hands'
import type { Role } from '../room/invite'
import { createShareChannel, type SharedItem } from '../share/channel'
import type { CallStore } from '../state/call-store'
import { createVitalsChannel } from '../vitals/channel'
import type { VitalsFeed } from '../vitals/feed'
import type { Message, Op } from './protocol'

type MeshOf = CallMesh<Message, Op>
/** A feature's op as its channel makes it: the mesh signs it. */
type Unsigned = DistributiveOmit<Exclude<Op, { kind: 'member' }>, 'sig'>

export interface CallChannelsOptions {
  store: CallStore
  remoteVitals: VitalsFeed
  space: SpaceFeed
  /** Our own role. */
  role: Role
  /** The call's mesh, once joined: until then nothing is sent. */
  mesh: () => MeshOf | null
  /** Largest shared file we send or take now, bytes. */
  maxShareBytes?: () => number
  /** A shared item became known (for the record). */
  onShared?: (item: SharedItem) => void
  /** The live video this page drew (src/lib/playback.ts), for the pace of files sent here. */
  playback?: () => PlaybackCounts
  /** An aftercare plan became known (the patient's own copy, the clinician's record). */
  onCarePlan?: (plan: ReceivedPlan) => void
}

/** The mesh as the features' channels see it. */
function portOf(mesh: MeshOf) {
  return {
    broadcast: (message: FeatureMessage<Message>) => mesh.broadcast(message),
    sendTo: (peerId: string, message: FeatureMessage<Message>) => mesh.sendTo(peerId, message),
    share: (key: string, message: FeatureMessage<Message>, peerId?: string) =>
      mesh.share(key, message, peerId),
    unshare: (type: FeatureMessage<Message>['type'], key?: string) => mesh.unshare(type, key),
    broadcastFrame: (frame: Frame) => mesh.broadcastFrame(frame),
    publish: (op: Unsigned) => mesh.publish(op),
    sendChunk: (peerId: string, chunk: Chunk) => mesh.sendChunk(peerId, chunk),
  }
}

export function createCallChannels({
  store,
  remoteVitals,
  space,
  role,
  mesh,
  maxShareBytes,
  onShared,
  onCarePlan,
  playback,
}: CallChannelsOptions) {
  const port = () => {
    const m = mesh()
    return m && portOf(m)
  }
  return {
    chat: createChatChannel({
      self: () => ({ session: mesh()?.session ?? '', name: mesh()?.displayName ?? '', role }),
      publish: (op) => mesh()?.publish(op),
      nextOpId: () => mesh()?.nextOpId() ?? '',
      show: (entries) => store.getState().addChatMessages(entries),
    }),
    vitals: createVitalsChannel(remoteVitals, port),
    guidance: createGuidanceChannel({
      space,
      role,
      annotations: () => store.getState().annotations,
      apply: (op) => store.getState().applyAnnotationOp(op),
      port,
    }),
    share: createShareChannel({
      self: () => ({ session: mesh()?.session ?? '', name: mesh()?.displayName ?? '', role }),
      nextOpId: () => mesh()?.nextOpId() ?? '',
      port,
      peers: () => mesh()?.peers() ?? [],
      maxBytes: maxShareBytes,
      onAdded: onShared,
      playback,
    }),
    aftercare: createAftercareChannel({
      self: () => ({ session: mesh()?.session ?? '', name: mesh()?.displayName ?? '', role }),
      publish: (op) => mesh()?.publish(op),
      nextOpId: () => mesh()?.nextOpId() ?? '',
      onPlan: onCarePlan,
    }),
    hands: createHandsChannel({
      session: () => mesh()?.session ?? '',
      publish: (op) => mesh()?.publish(op),
      nextOpId: () => mesh()?.nextOpId() ?? '',
      apply: (op) => store.getState().applyHandOp(op),
    }),
    screening: createScreeningChannel({
      self: () => ({ session: mesh()?.session ?? '', name: mesh()?.displayName ?? '', role }),
      publish: (op) => mesh()?.publish(op),
      nextOpId: () => mesh()?.nextOpId() ?? '',
    }),
  }
}

export type CallChannels = ReturnType<typeof createCallChannels>

/** Every feature message to the channel that owns its type. */
export function routeMessage(
  channels: CallChannels,
  message: FeatureMessage<Message>,
  from: MeshPeer,
  now: number,
) {
  const { guidance, vitals, share } = channels
  switch (message.type) {
    case 'laser':
      return guidance.messages.laser(message, from, now)
    case 'space':
      return guidance.messages.space(message, from)
    case 'surface':
      return guidance.messages.surface(message, from)
    case 'surfaces-removed':
      return guidance.messages['surfaces-removed'](message, from)
    case 'vitals':
      return vitals.messages.vitals(message, from, now)
    case 'vitals-stopped':
      return vitals.messages['vitals-stopped'](message, from, now)
    case 'share-want':
      return share.messages['share-want'](message, from)
    case 'share-have':
      return share.messages['share-have'](message, from)
    case 'share-got':
      return share.messages['share-got'](message, from)
    case 'share-view':
      return share.messages['share-view'](message, from)
    default:
      return assertNever(message)
  }
}

/** A feature's own check of a signed op from a known author, by the channel that owns its kind. */
export function validateOp(channels: CallChannels, op: Op, author: { name: string; role: Role }): boolean {
  switch (op.kind) {
    case 'chat':
      return channels.chat.validate(op, author)
    case 'annotation-add':
    case 'annotation-update':
    case 'annotation-delete':
    case 'annotation-clear':
      return channels.guidance.validate(op, author)
    case 'share-add':
    case 'share-remove':
      return channels.share.validate(op, author)
    case 'care-plan':
      return channels.aftercare.validate(op, author)
    case 'screening':
    case 'consent':
      return channels.screening.validate(op, author)
    case 'hand':
    case 'floor':
    case 'camera':
      return channels.hands.validate(op, author)
    case 'member':
    case 'dismiss':
    case 'admit':
      return true
    default:
      return assertNever(op)
  }
}

/** Every replicated op, once, to the channel that owns its kind. */
export function applyOp(channels: CallChannels, op: Op) {
  switch (op.kind) {
    case 'chat':
      return channels.chat.applyOp(op)
    case 'annotation-add':
    case 'annotation-update':
    case 'annotation-delete':
    case 'annotation-clear':
      return channels.guidance.applyOp(op)
    case 'share-add':
    case 'share-remove':
      return channels.share.applyOp(op)
    case 'care-plan':
      return channels.aftercare.applyOp(op)
    case 'screening':
    case 'consent':
      return channels.screening.applyOp(op)
    case 'hand':
    case 'floor':
    case 'camera':
      return channels.hands.applyOp(op)
    case 'member':
    case 'dismiss':
    case 'admit':
      // Who is who: the mesh's own records, nothing for a feature to show.
      return
    default:
      return assertNever(op)
  }
}
