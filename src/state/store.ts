// One vanilla zustand store made of typed slices, so src/net/ and tests can read and act without React; the
// components select primitives from it through `useConsult`.
import { useStore } from 'zustand'
import { useShallow } from 'zustand/react/shallow'
import { createStore, type StateCreator } from 'zustand/vanilla'
import {
  type AnnotationOp,
  type AnnotationState,
  applyAnnotationOp,
  createAnnotationState,
} from '../annotations/model'
import type { ConnectionQuality } from '../net/quality'
import type { Invite, Role } from '../room/invite'

export type Phase = 'home' | 'preview' | 'joining' | 'in-call' | 'left'
export type MediaMode = 'camera-and-microphone' | 'microphone-only' | 'receive-only'
/**
 * connecting: someone is in that seat and admission/hello is under way; connected: in the call; reconnecting:
 * the link dropped and we are re-dialing; gone: we gave up (shown for a moment, then removed).
 */
export type ParticipantStatus = 'connecting' | 'connected' | 'reconnecting' | 'gone'

export interface Participant {
  peerId: string
  seat: number
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

export interface SessionSlice {
  phase: Phase
  invite: Invite | null
  /** A sentence for the user when something stops the call (room full, server unreachable, …). */
  fatalError: string | null
  /**
   * Whether the PeerServer knows us. Without it the call goes on, but nobody new can join or be re-dialed.
   */
  serverConnected: boolean
  setInvite: (invite: Invite | null) => void
  setPhase: (phase: Phase) => void
}

export interface LocalMediaSlice {
  localStream: MediaStream | null
  mediaMode: MediaMode
  muted: boolean
  cameraOff: boolean
  setLocalStream: (stream: MediaStream | null, mode: MediaMode) => void
  toggleMute: () => void
  toggleCamera: () => void
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

export type ConsultState = SessionSlice &
  LocalMediaSlice &
  ParticipantsSlice &
  NoticesSlice &
  ChatSlice &
  AnnotationsSlice

/** How long a notice stays on screen, ms: long enough to read two short sentences. */
const NOTICE_MS = 6000
let nextNoticeId = 1

const createSessionSlice: StateCreator<ConsultState, [], [], SessionSlice> = (set) => ({
  phase: 'home',
  invite: null,
  fatalError: null,
  serverConnected: true,
  setInvite: (invite) => set({ invite, phase: invite ? 'preview' : 'home', fatalError: null }),
  setPhase: (phase) => set({ phase }),
})

function applyTrackState(stream: MediaStream | null, muted: boolean, cameraOff: boolean) {
  // Disabling a track sends silence / black frames without renegotiating the call.
  for (const track of stream?.getAudioTracks() ?? []) track.enabled = !muted
  for (const track of stream?.getVideoTracks() ?? []) track.enabled = !cameraOff
}

const createLocalMediaSlice: StateCreator<ConsultState, [], [], LocalMediaSlice> = (set, get) => ({
  localStream: null,
  mediaMode: 'camera-and-microphone',
  muted: false,
  cameraOff: false,
  setLocalStream: (localStream, mediaMode) => {
    const previous = get().localStream
    if (previous && previous !== localStream) for (const track of previous.getTracks()) track.stop()
    const cameraOff = mediaMode !== 'camera-and-microphone'
    const muted = mediaMode === 'receive-only'
    applyTrackState(localStream, muted, cameraOff)
    set({ localStream, mediaMode, cameraOff, muted })
  },
  toggleMute: () => {
    const { localStream, muted, cameraOff } = get()
    if (!localStream?.getAudioTracks().length) return
    applyTrackState(localStream, !muted, cameraOff)
    set({ muted: !muted })
  },
  toggleCamera: () => {
    const { localStream, muted, cameraOff } = get()
    if (!localStream?.getVideoTracks().length) return
    applyTrackState(localStream, muted, !cameraOff)
    set({ cameraOff: !cameraOff })
  },
})

const createParticipantsSlice: StateCreator<ConsultState, [], [], ParticipantsSlice> = (set) => ({
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

const createNoticesSlice: StateCreator<ConsultState, [], [], NoticesSlice> = (set, get) => ({
  notices: [],
  notify: (text, tone = 'info') => {
    const id = nextNoticeId++
    set((state) => ({ notices: [...state.notices, { id, text, tone }] }))
    setTimeout(() => get().dismissNotice(id), NOTICE_MS)
  },
  dismissNotice: (id) => set((state) => ({ notices: state.notices.filter((n) => n.id !== id) })),
})

const byTimeThenId = (a: ChatMessage, b: ChatMessage) =>
  a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

const createChatSlice: StateCreator<ConsultState, [], [], ChatSlice> = (set) => ({
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

const createAnnotationsSlice: StateCreator<ConsultState, [], [], AnnotationsSlice> = (set) => ({
  annotations: createAnnotationState(),
  applyAnnotationOp: (op) =>
    set((state) => {
      const annotations = applyAnnotationOp(state.annotations, op)
      // The model returns the same state for an op that changes nothing: no new object, no re-render.
      return annotations === state.annotations ? state : { annotations }
    }),
})

export function createConsultStore() {
  return createStore<ConsultState>()((...a) => ({
    ...createSessionSlice(...a),
    ...createLocalMediaSlice(...a),
    ...createParticipantsSlice(...a),
    ...createNoticesSlice(...a),
    ...createChatSlice(...a),
    ...createAnnotationsSlice(...a),
  }))
}

export type ConsultStore = ReturnType<typeof createConsultStore>

/** The app's one store. Tests make their own with `createConsultStore`. */
export const consultStore = createConsultStore()

export function useConsult<T>(selector: (state: ConsultState) => T): T {
  return useStore(consultStore, selector)
}

/**
 * The remote participants' peer ids in seat order: the order of panels and of the participant list. Those we
 * gave up on stay in the list for a moment (status "gone") but get no panel.
 */
export function useParticipantIds({ includeGone = false } = {}): string[] {
  return useConsult(
    useShallow((s) =>
      Object.values(s.participants)
        .filter((p) => includeGone || p.status !== 'gone')
        .sort((a, b) => a.seat - b.seat)
        .map((p) => p.peerId),
    ),
  )
}
