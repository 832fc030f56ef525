// What the page knows whatever call it is in: which screen shows, the invite in the URL, a sentence for what
// stopped a join, and our own camera and microphone. One vanilla zustand store made of typed slices, so the call
// runtime and tests can read and act without React; components select primitives through `usePage`. What
// belongs to one call lives in that call's own store (./call-store.ts).
import { useStore } from 'zustand'
import { createStore, type StateCreator } from 'zustand/vanilla'
import type { MediaMode } from '../media/local-media'
import type { Invite } from '../room/invite'

export type Phase = 'home' | 'preview' | 'joining' | 'in-call' | 'left'
export type { MediaMode }

export interface SessionSlice {
  phase: Phase
  invite: Invite | null
  /** A sentence for the user when something stops the call (room full, server unreachable, …). */
  fatalError: string | null
  /** Why the call ended, when we did not leave ourselves (asked to leave); shown on the "left" screen. */
  endedBecause: string | null
  setInvite: (invite: Invite | null) => void
  setPhase: (phase: Phase) => void
}

export interface LocalMediaSlice {
  localStream: MediaStream | null
  mediaMode: MediaMode
  muted: boolean
  cameraOff: boolean
  /**
   * Large rooms: the presenter has not let us speak (src/room/hands.ts), so the microphone stays off and its
   * button does nothing.
   */
  micLocked: boolean
  /**
   * Large rooms: the presenter has not let us show video (src/room/hands.ts), so the camera stays off, its button
   * does nothing, and the transport publishes no video track at all.
   */
  cameraLocked: boolean
  setMicLocked: (locked: boolean) => void
  setCameraLocked: (locked: boolean) => void
  setLocalStream: (stream: MediaStream | null, mode: MediaMode) => void
  toggleMute: () => void
  toggleCamera: () => void
}

export type PageState = SessionSlice & LocalMediaSlice

const createSessionSlice: StateCreator<PageState, [], [], SessionSlice> = (set) => ({
  phase: 'home',
  invite: null,
  fatalError: null,
  endedBecause: null,
  setInvite: (invite) =>
    set({ invite, phase: invite ? 'preview' : 'home', fatalError: null, endedBecause: null }),
  setPhase: (phase) => set({ phase }),
})

function applyTrackState(stream: MediaStream | null, muted: boolean, cameraOff: boolean) {
  // Disabling a track sends silence / black frames without renegotiating the call.
  for (const track of stream?.getAudioTracks() ?? []) track.enabled = !muted
  for (const track of stream?.getVideoTracks() ?? []) track.enabled = !cameraOff
}

const createLocalMediaSlice: StateCreator<PageState, [], [], LocalMediaSlice> = (set, get) => ({
  localStream: null,
  mediaMode: 'camera-and-microphone',
  muted: false,
  cameraOff: false,
  micLocked: false,
  cameraLocked: false,
  setCameraLocked: (locked) => {
    const { localStream, muted, cameraLocked, mediaMode } = get()
    if (locked === cameraLocked) return
    // As for the microphone: being let show video turns the camera on, if this page has one.
    const cameraOff = locked || mediaMode !== 'camera-and-microphone'
    applyTrackState(localStream, muted, cameraOff)
    set({ cameraLocked: locked, cameraOff })
  },
  setMicLocked: (locked) => {
    const { localStream, micLocked, cameraOff, mediaMode } = get()
    if (locked === micLocked) return
    // Locking turns the microphone off; being let speak turns it on (what the presenter asked for), unless
    // this page joined without one.
    const muted = locked || mediaMode === 'receive-only'
    applyTrackState(localStream, muted, cameraOff)
    set({ micLocked: locked, muted })
  },
  setLocalStream: (localStream, mediaMode) => {
    const previous = get().localStream
    // Tracks the new stream carries on (a camera kept beside a microphone turned on in the call) keep running.
    const kept = new Set(localStream?.getTracks() ?? [])
    if (previous && previous !== localStream)
      for (const track of previous.getTracks()) if (!kept.has(track)) track.stop()
    const cameraOff = mediaMode !== 'camera-and-microphone' || get().cameraLocked
    const muted = mediaMode === 'receive-only' || get().micLocked
    applyTrackState(localStream, muted, cameraOff)
    set({ localStream, mediaMode, cameraOff, muted })
  },
  toggleMute: () => {
    const { localStream, muted, cameraOff, micLocked } = get()
    if (!localStream?.getAudioTracks().length || micLocked) return
    applyTrackState(localStream, !muted, cameraOff)
    set({ muted: !muted })
  },
  toggleCamera: () => {
    const { localStream, muted, cameraOff, cameraLocked } = get()
    if (!localStream?.getVideoTracks().length || cameraLocked) return
    applyTrackState(localStream, muted, !cameraOff)
    set({ cameraOff: !cameraOff })
  },
})

export function createPageStore() {
  return createStore<PageState>()((...a) => ({
    ...createSessionSlice(...a),
    ...createLocalMediaSlice(...a),
  }))
}

export type PageStore = ReturnType<typeof createPageStore>

/** The page's one store. Tests make their own with `createPageStore`. */
export const pageStore = createPageStore()

export function usePage<T>(selector: (state: PageState) => T): T {
  return useStore(pageStore, selector)
}
