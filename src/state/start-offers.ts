// When the call offers to turn the microphone or the camera on, in place of Mute or Camera off: one rule for the
// page's toolbar (src/app/call-view.tsx) and the headset's controls (src/scenes/xr-call-controls.tsx), so that
// someone who joined without media finds the same buttons whether they look at the page or through a headset.

/** What the offers are decided from: the page's own stream and the large room's locks (./page-store.ts). */
export interface StartOfferState {
  localStream: {
    getAudioTracks: () => readonly unknown[]
    getVideoTracks: () => readonly unknown[]
  } | null
  micLocked: boolean
  cameraLocked: boolean
}

/**
 * Free to speak (a consultation; a large room once let speak) and no microphone track (joined without one, or
 * refused it): Turn microphone on. While the microphone is locked nothing is asked for: it could not be heard.
 */
export function offersMicrophoneStart(state: StartOfferState): boolean {
  return !state.micLocked && (state.localStream?.getAudioTracks().length ?? 0) === 0
}

/**
 * Free to show video and no camera track (refused, absent, or joined to watch): Turn camera on, rather than
 * leaving and joining again. A locked camera (a large room before Show video) is not asked for.
 */
export function offersCameraStart(state: StartOfferState): boolean {
  return !state.cameraLocked && (state.localStream?.getVideoTracks().length ?? 0) === 0
}
