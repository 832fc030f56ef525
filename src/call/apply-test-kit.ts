// For the tests that feed one message at a time into a call's state (fuzzing, the shared space): what the mesh
// and the features' channels do with an app message from an admitted participant, as one function over plain
// parts. The feature messages take the real routing and channels; ops, acks, media state and goodbyes are
// handled here exactly as src/net/call-mesh.ts handles them.
import type { SpaceFeed } from '../annotations/space'
import type { FeatureMessage } from '../net/call-mesh'
import type { OpLog } from '../net/replication'
import type { Role } from '../room/invite'
import type { CallStore } from '../state/call-store'
import type { VitalsFeed } from '../vitals/feed'
import { applyOp, createCallChannels, routeMessage } from './channels'
import type { Message, Op } from './protocol'

export interface MessageContext {
  store: CallStore
  log: OpLog<Op>
  vitals: VitalsFeed
  space: SpaceFeed
  now: number
  /** Who sent it: their peer id, seat and session. */
  peerId: string
  seat: number
  session: string
  /** Their role, from their hello. */
  role: Role
}

export type Reply = { kind: 'ack'; ids: string[] } | { kind: 'left' } | null

type AppMessage = Exclude<Message, { type: 'challenge' | 'proof' | 'hello' | 'ping' | 'pong' }>

export function applyMessage(context: MessageContext, message: AppMessage): Reply {
  const { store, log, vitals, space, now, peerId, seat, session, role } = context
  switch (message.type) {
    case 'media-state':
      store.getState().upsertParticipant(peerId, { seat, muted: message.muted, cameraOff: message.cameraOff })
      return null
    case 'ops':
      for (const op of message.items) log.receive(op, session)
      return { kind: 'ack', ids: message.items.map((op) => op.id) }
    case 'ack':
      log.acknowledged(session, message.ids)
      return null
    case 'bye':
      return { kind: 'left' }
    default: {
      // Our own role does not matter for receiving; any will do.
      const channels = createCallChannels({
        store,
        remoteVitals: vitals,
        space,
        role: 'clinician',
        mesh: () => null,
      })
      routeMessage(
        channels,
        message as FeatureMessage<Message>,
        { peerId, seat, session, role, name: '' },
        now,
      )
      return null
    }
  }
}

/** Applies an op to the call's store as the runtime does (once per id, from the op log). */
export function applyOpTo(store: CallStore, op: Op) {
  const channels = createCallChannels({
    store,
    remoteVitals: undefined as unknown as VitalsFeed,
    space: undefined as unknown as SpaceFeed,
    role: 'clinician',
    mesh: () => null,
  })
  applyOp(channels, op)
}
