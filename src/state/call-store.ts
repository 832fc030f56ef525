// What one call knows: the other participants, notices, chat, the remote-guidance marks and whether the signalling
// server can be reached. Created with the call's runtime and dropped with it, so leaving a call leaves nothing
// behind. A vanilla zustand store made of typed slices (the runtime writes with its actions and `getState()`);
// components read it through `useCall`, from the store the nearest CallStoreProvider gives.
import { createContext, createElement, type ReactNode, useContext } from 'react'
import { useStore } from 'zustand'
import { useShallow } from 'zustand/react/shallow'
import { createStore, type StateCreator } from 'zustand/vanilla'
import {
  type AnnotationOp,
  type AnnotationState,
  applyAnnotationOp,
  createAnnotationState,
} from '../annotations/model'
import type { ParticipantStatus } from '../net/call-mesh'
import type { ConnectionQuality } from '../net/quality'
import {
  applyCameraOp,
  applyHandOp,
  type CameraGrants,
  type CameraOp,
  type FloorOp,
  type HandOp,
  type Hands,
  NO_CAMERA_GRANTS,
  NO_HANDS,
} from '../room/hands'
import type { Role } from '../room/invite'

export type { ParticipantStatus }

export interface Participant {
  peerId: string
  seat: number
  /** Their session id, once they said hello. */
  session?: string
  /** Their invite's key: what letting them in from the waiting room names. */
  inviteKey?: string
  name: string
  /** Null until their hello says it (a dial that has not got that far is only "Joining"). */
  role: Role | null
  status: ParticipantStatus
  muted: boolean
  cameraOff: boolean
  /** Their camera and microphone, once the media call has delivered it. */
  stream: MediaStream | null
  /** The screen they share, if they do. */
  screen?: MediaStream | null
  /** What we receive from them, sampled about once a second; null until the first sample. */
  quality: ConnectionQuality | null
}

export interface Notice {
  id: number
  text: string
  tone: 'info' | 'warning' | 'error'
}

export interface ConnectionSlice {
  /** We are in the waiting room: the clinician has not let us in yet. */
  waitingRoom: boolean
  /**
   * Whether the PeerServer knows us. Without it the call goes on, but nobody new can join or be re-dialed.
   */
  serverConnected: boolean
}

export interface ParticipantsSlice {
  participants: Record<string, Participant>
  upsertParticipant: (peerId: string, patch: Partial<Participant> & Pick<Participant, 'seat'>) => void
  removeParticipant: (peerId: string) => void
}

export interface NoticesSlice {
  notices: Notice[]
  notify: (text: string, tone?: Notice['tone']) => void
  dismissNotice: (id: number) => void
}

export interface ChatMessage {
  id: string
  /** The author's session: ours when `mine`. */
  author: string
  name: string
  role: Role
  at: number
  text: string
  mine: boolean
}

export interface ChatSlice {
  /**
   * The newest CHAT_KEPT messages, in the order of `at`, then id: every participant shows the same order
   * whatever order things arrived in.
   */
  chat: ChatMessage[]
  /** Messages older than those kept: shown as one "N earlier messages" line. */
  earlierChatCount: number
  addChatMessage: (message: ChatMessage) => void
  /** Several at once (those one incoming message brought): one update, one render. */
  addChatMessages: (messages: readonly ChatMessage[]) => void
}

/**
 * Most chat messages a call keeps in its store (and the chat shows), the newest. A consultation's chat is tens of
 * messages; 1,000 keeps any real one whole (and a 600-message burst, which the browser tests send), while a flood
 * within the limits (issue 17: 8,203 list items and an 18 s lag after 20 s) stays a bounded list whose every
 * update costs the same.
 */
export const CHAT_KEPT = 1000

export interface AnnotationsSlice {
  /** The remote-guidance marks (src/annotations/model.ts): replaced, never mutated, on every op. */
  annotations: AnnotationState
  applyAnnotationOp: (op: AnnotationOp) => void
}

export interface HandsSlice {
  /** Large rooms: raised hands and who may speak (src/room/hands.ts): replaced, never mutated, on every op. */
  hands: Hands
  /** Large rooms: who the presenter let show video (src/room/hands.ts: videoSenders applies the cap). */
  cameraGrants: CameraGrants
  applyHandOp: (op: HandOp | FloorOp | CameraOp) => void
}

export type CallState = ConnectionSlice &
  ParticipantsSlice &
  NoticesSlice &
  ChatSlice &
  AnnotationsSlice &
  HandsSlice

/** How long a notice stays on screen, ms: long enough to read two short sentences. */
const NOTICE_MS = 6000

const createConnectionSlice: StateCreator<CallState, [], [], ConnectionSlice> = () => ({
  waitingRoom: false,
  serverConnected: true,
})

const createParticipantsSlice: StateCreator<CallState, [], [], ParticipantsSlice> = (set) => ({
  participants: {},
  upsertParticipant: (peerId, patch) =>
    set((state) => {
      const existing = state.participants[peerId]
      const next: Participant = existing
        ? { ...existing, ...patch }
        : {
            peerId,
            name: 'Joining',
            role: null,
            status: 'connecting',
            muted: false,
            cameraOff: false,
            stream: null,
            quality: null,
            ...patch,
          }
      return { participants: { ...state.participants, [peerId]: next } }
    }),
  removeParticipant: (peerId) =>
    set((state) => {
      if (!(peerId in state.participants)) return state
      const { [peerId]: _removed, ...rest } = state.participants
      return { participants: rest }
    }),
})

function createNoticesSlice(
  timers: Set<ReturnType<typeof setTimeout>>,
): StateCreator<CallState, [], [], NoticesSlice> {
  let nextNoticeId = 1
  return (set, get) => ({
    notices: [],
    notify: (text, tone = 'info') => {
      const id = nextNoticeId++
      set((state) => ({ notices: [...state.notices, { id, text, tone }] }))
      const timer = setTimeout(() => {
        timers.delete(timer)
        get().dismissNotice(id)
      }, NOTICE_MS)
      timers.add(timer)
    },
    dismissNotice: (id) => set((state) => ({ notices: state.notices.filter((n) => n.id !== id) })),
  })
}

/**
 * Op ids are `<author session>:<counter>`. One author's messages within one millisecond (a quick reply, a paste
 * split in two) keep the order they were written in: their counters compare as numbers, not text ("…:39" sorts
 * after "…:4"). Different authors in the same millisecond keep a fixed, shared order (by session).
 */
export function compareOpIds(a: string, b: string): number {
  const cutA = a.lastIndexOf(':')
  const cutB = b.lastIndexOf(':')
  const authorA = a.slice(0, cutA)
  const authorB = b.slice(0, cutB)
  if (cutA > 0 && cutB > 0 && authorA === authorB) {
    const counterA = Number(a.slice(cutA + 1))
    const counterB = Number(b.slice(cutB + 1))
    if (Number.isFinite(counterA) && Number.isFinite(counterB) && counterA !== counterB)
      return counterA - counterB
  }
  return a < b ? -1 : a > b ? 1 : 0
}

const byTimeThenId = (a: ChatMessage, b: ChatMessage) => a.at - b.at || compareOpIds(a.id, b.id)

/** Where `message` goes in `chat` (sorted by byTimeThenId): after every message that sorts before it. */
function insertionIndex(chat: readonly ChatMessage[], message: ChatMessage): number {
  // Nearly always at the end: check that first, then search (a resend or a snapshot brings older ones late).
  const last = chat[chat.length - 1]
  if (!last || byTimeThenId(last, message) <= 0) return chat.length
  let low = 0
  let high = chat.length - 1
  while (low < high) {
    const middle = (low + high) >>> 1
    if (byTimeThenId(chat[middle] as ChatMessage, message) <= 0) low = middle + 1
    else high = middle
  }
  return low
}

const createChatSlice: StateCreator<CallState, [], [], ChatSlice> = (set, get) => ({
  chat: [],
  earlierChatCount: 0,
  addChatMessage: (message) => get().addChatMessages([message]),
  addChatMessages: (messages) =>
    set((state) => {
      if (messages.length === 0) return state
      // A full list only counts messages older than all it shows: a newcomer's snapshot comes newest first
      // (src/net/replication.ts snapshotOrder), so after its first 1,000 the rest only raise the "earlier" count,
      // and the list itself (its 1,000 rows) is not drawn again for each older batch.
      const oldest = state.chat[0]
      const full = state.chat.length >= CHAT_KEPT
      const shown = full && oldest ? messages.filter((m) => byTimeThenId(m, oldest) > 0) : messages
      const older = messages.length - shown.length
      if (shown.length === 0) return { earlierChatCount: state.earlierChatCount + older }
      // One copy of the bounded list per batch, whatever its size; the oldest go out past CHAT_KEPT.
      const chat = state.chat.slice()
      for (const message of shown) chat.splice(insertionIndex(chat, message), 0, message)
      const over = chat.length - CHAT_KEPT
      // (Not over only when the list was not full, and then none was older.)
      if (over <= 0) return { chat }
      chat.splice(0, over)
      return { chat, earlierChatCount: state.earlierChatCount + over + older }
    }),
})

const createAnnotationsSlice: StateCreator<CallState, [], [], AnnotationsSlice> = (set) => ({
  annotations: createAnnotationState(),
  applyAnnotationOp: (op) =>
    set((state) => {
      const annotations = applyAnnotationOp(state.annotations, op)
      // The model returns the same state for an op that changes nothing: no new object, no re-render.
      return annotations === state.annotations ? state : { annotations }
    }),
})

const createHandsSlice: StateCreator<CallState, [], [], HandsSlice> = (set) => ({
  hands: NO_HANDS,
  cameraGrants: NO_CAMERA_GRANTS,
  applyHandOp: (op) =>
    set((state) => {
      if (op.kind === 'camera') {
        const cameraGrants = applyCameraOp(state.cameraGrants, op)
        return cameraGrants === state.cameraGrants ? state : { cameraGrants }
      }
      const hands = applyHandOp(state.hands, op)
      return hands === state.hands ? state : { hands }
    }),
})

export function createCallStore() {
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const store = createStore<CallState>()((...a) => ({
    ...createConnectionSlice(...a),
    ...createParticipantsSlice(...a),
    ...createNoticesSlice(timers)(...a),
    ...createChatSlice(...a),
    ...createAnnotationsSlice(...a),
    ...createHandsSlice(...a),
  }))
  return Object.assign(store, {
    /** Stops the notices' timers: the call is over. */
    dispose() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    },
  })
}

export type CallStore = ReturnType<typeof createCallStore>

/** An empty call for the screens shown before one exists (the warm 3D view on the join screen). */
const idle = createCallStore()
const CallStoreContext = createContext<CallStore>(idle)

export function CallStoreProvider({ store, children }: { store: CallStore | null; children: ReactNode }) {
  return createElement(CallStoreContext.Provider, { value: store ?? idle }, children)
}

export function useCallStore(): CallStore {
  return useContext(CallStoreContext)
}

export function useCall<T>(selector: (state: CallState) => T): T {
  return useStore(useCallStore(), selector)
}

/**
 * The remote participants' peer ids in seat order: the order of panels and of the participant list. Those we
 * gave up on stay in the list for a moment (status "gone"), and those in the waiting room are listed, but neither
 * gets a panel.
 */
export function useParticipantIds({ includeGone = false } = {}): string[] {
  return useCall(
    useShallow((s) =>
      Object.values(s.participants)
        .filter((p) => includeGone || (p.status !== 'gone' && p.status !== 'waiting'))
        .sort((a, b) => a.seat - b.seat)
        .map((p) => p.peerId),
    ),
  )
}
