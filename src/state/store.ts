// One vanilla zustand store made of typed slices, so src/net/ and tests can read and act without React; the
// components select primitives from it through `useConsult`.
import { useStore } from 'zustand'
import { useShallow } from 'zustand/react/shallow'
import { createStore, type StateCreator } from 'zustand/vanilla'
import type { ConnectionQuality } from '../net/quality'
import type { Invite, Role } from '../room/invite'

export type Phase = 'home' | 'preview' | 'joining' | 'in-call' | 'left'
export type MediaMode = 'camera-and-microphone' | 'microphone-only' | 'receive-only'
export type ParticipantStatus = 'connecting' | 'connected' | 'gone'

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

export type ConsultState = SessionSlice & LocalMediaSlice & ParticipantsSlice & NoticesSlice

/** How long a notice stays on screen, ms: long enough to read two short sentences. */
const NOTICE_MS = 6000
let nextNoticeId = 1

const createSessionSlice: StateCreator<ConsultState, [], [], SessionSlice> = (set) => ({
  phase: 'home',
  invite: null,
  fatalError: null,
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

export function createConsultStore() {
  return createStore<ConsultState>()((...a) => ({
    ...createSessionSlice(...a),
    ...createLocalMediaSlice(...a),
    ...createParticipantsSlice(...a),
    ...createNoticesSlice(...a),
  }))
}

export type ConsultStore = ReturnType<typeof createConsultStore>

/** The app's one store. Tests make their own with `createConsultStore`. */
export const consultStore = createConsultStore()

export function useConsult<T>(selector: (state: ConsultState) => T): T {
  return useStore(consultStore, selector)
}

/** The remote participants' peer ids in seat order: the order of panels and of the participant list. */
export function useParticipantIds(): string[] {
  return useConsult(
    useShallow((s) =>
      Object.values(s.participants)
        .sort((a, b) => a.seat - b.seat)
        .map((p) => p.peerId),
    ),
  )
}
