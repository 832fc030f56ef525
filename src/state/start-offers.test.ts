import { describe, expect, it } from 'vitest'
import { offersCameraStart, offersMicrophoneStart, type StartOfferState } from './start-offers'

/** A stand-in for a MediaStream with `audio` and `video` tracks: only their counts matter here. */
function stream(audio: number, video: number): StartOfferState['localStream'] {
  return {
    getAudioTracks: () => Array.from({ length: audio }, () => ({ kind: 'audio' })),
    getVideoTracks: () => Array.from({ length: video }, () => ({ kind: 'video' })),
  }
}

const free = { micLocked: false, cameraLocked: false }

describe('Turn microphone on / Turn camera on offers', () => {
  it('offers both to someone who joined without camera or microphone and may speak and show video', () => {
    for (const localStream of [null, stream(0, 0)]) {
      expect(offersMicrophoneStart({ ...free, localStream })).toBe(true)
      expect(offersCameraStart({ ...free, localStream })).toBe(true)
    }
  })

  it('offers neither while the page has both tracks (Mute and Camera off are shown instead)', () => {
    expect(offersMicrophoneStart({ ...free, localStream: stream(1, 1) })).toBe(false)
    expect(offersCameraStart({ ...free, localStream: stream(1, 1) })).toBe(false)
  })

  it('offers only what is missing: the microphone beside a camera, the camera beside a microphone', () => {
    expect(offersMicrophoneStart({ ...free, localStream: stream(0, 1) })).toBe(true)
    expect(offersCameraStart({ ...free, localStream: stream(0, 1) })).toBe(false)
    expect(offersMicrophoneStart({ ...free, localStream: stream(1, 0) })).toBe(false)
    expect(offersCameraStart({ ...free, localStream: stream(1, 0) })).toBe(true)
  })

  it('offers nothing that is locked (a large room before the presenter lets one speak or show video)', () => {
    const nothing = stream(0, 0)
    expect(offersMicrophoneStart({ micLocked: true, cameraLocked: false, localStream: nothing })).toBe(false)
    expect(offersCameraStart({ micLocked: true, cameraLocked: false, localStream: nothing })).toBe(true)
    expect(offersMicrophoneStart({ micLocked: false, cameraLocked: true, localStream: nothing })).toBe(true)
    expect(offersCameraStart({ micLocked: false, cameraLocked: true, localStream: nothing })).toBe(false)
  })
})
