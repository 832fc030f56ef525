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
  role: Role
  status: ParticipantStatus
  muted: boolean
  cameraOff: boolean
  /** Their camera and microphone, once the media call has delivered it. */
  stream: MediaStream | null
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
  /** In the order of `at`, then id: every participant shows the same order whatever order things arrived in. */
  chat: ChatMessage[]
  addChatMessage: (message: ChatMessage) => void
}

export interface AnnotationsSlice {
  /** The remote-guidance marks (src/annotations/model.ts): replaced, never mutated, on every op. */
  annotations: AnnotationState
  applyAnnotationOp: (op: AnnotationOp) => void
}

export type CallState = ConnectionSlice & ParticipantsSlice & NoticesSlice & ChatSlice & AnnotationsSlice

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
            role: 'patient',
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

const byTimeThenId = (a: ChatMessage, b: ChatMessage) =>
  a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

const createChatSlice: StateCreator<CallState, [], [], ChatSlice> = (set) => ({
  chat: [],
  addChatMessage: (message) =>
    set((state) => {
      const last = state.chat[state.chat.length - 1]
      // Nearly always appended in order; sort only when something older arrives late (a resend, a snapshot).
      const chat = [...state.chat, message]
      if (last && byTimeThenId(last, message) > 0) chat.sort(byTimeThenId)
      return { chat }
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

export function createCallStore() {
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const store = createStore<CallState>()((...a) => ({
    ...createConnectionSlice(...a),
    ...createParticipantsSlice(...a),
    ...createNoticesSlice(timers)(...a),
    ...createChatSlice(...a),
    ...createAnnotationsSlice(...a),
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
