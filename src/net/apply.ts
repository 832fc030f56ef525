// What an app message from an admitted participant does to our state. Pure (the store and the op log are
// passed in), so the fuzz tests can prove that nothing but a valid message changes anything.
import type { SpaceFeed } from '../annotations/space'
import type { Role } from '../room/invite'
import type { ConsultStore } from '../state/store'
import type { VitalsFeed } from '../vitals/feed'
import type { AppMessage } from './peer-link'
import { assertNever, type Op } from './protocol'
import type { OpLog } from './replication'

export interface MessageContext {
  store: ConsultStore
  log: OpLog
  vitals: VitalsFeed
  /** The worker's shared space and everyone's laser pointers. */
  space: SpaceFeed
  now: number
  /** Who sent it: their peer id, seat and session. */
  peerId: string
  seat: number
  session: string
  /** Their role, from their hello: only an on-site worker's space is taken. */
  role: Role
}

/** What the call session must do in return. */
export type Reply = { kind: 'ack'; ids: string[] } | { kind: 'left' } | null

export function applyMessage(context: MessageContext, message: AppMessage): Reply {
  const { store, log, vitals, space, now, peerId, seat, session, role } = context
  switch (message.type) {
    case 'media-state':
      store.getState().upsertParticipant(peerId, { seat, muted: message.muted, cameraOff: message.cameraOff })
      return null
    case 'ops':
      for (const op of message.items) log.receive(op, session)
      // Acknowledge duplicates too: the sender resent them because it did not know we held them.
      return { kind: 'ack', ids: message.items.map((op) => op.id) }
    case 'ack':
      log.acknowledged(session, message.ids)
      return null
    case 'vitals':
      vitals.receive(peerId, message.items, now)
      return null
    case 'vitals-stopped':
      vitals.stop(peerId, now)
      return null
    case 'laser': {
      // A pointer speaks for its sender only: one naming another session is ignored.
      if (message.author !== session) return null
      const { type: _type, ...laser } = message
      space.receiveLaser(laser, now)
      return null
    }
    // The room being guided is the on-site worker's; anyone else's space is not ours to show (nor to keep).
    case 'space':
      if (role === 'worker') space.setState(peerId, message.sharing, message.fovY)
      return null
    case 'surface':
      if (role === 'worker') space.putSurface(peerId, message.surface)
      return null
    case 'surfaces-removed':
      if (role === 'worker') space.removeSurfaces(peerId, message.ids)
      return null
    case 'bye':
      return { kind: 'left' }
    default:
      return assertNever(message)
  }
}

/** Applies an operation to the store; the OpLog calls it once per id. */
export function applyOp(store: ConsultStore, ownSession: string, op: Op) {
  switch (op.kind) {
    case 'chat':
      store.getState().addChatMessage({
        id: op.id,
        author: op.author,
        name: op.name,
        role: op.role,
        at: op.at,
        text: op.text,
        mine: op.author === ownSession,
      })
      return
    case 'annotation-add':
    case 'annotation-update':
    case 'annotation-delete':
    case 'annotation-clear':
      store.getState().applyAnnotationOp(op)
      return
    default:
      assertNever(op)
  }
}
