import { describe, expect, it } from 'vitest'
import { CHAT_KEPT, type ChatMessage, compareOpIds, createCallStore } from './call-store'
import { createPageStore } from './page-store'

/** Just enough of a MediaStream for the store: tracks with an `enabled` flag and a stop(). */
function fakeStream(kinds: Array<'audio' | 'video'>) {
  const tracks = kinds.map((kind) => ({
    kind,
    enabled: true,
    stopped: false,
    stop() {
      this.stopped = true
    },
  }))
  const stream = {
    getTracks: () => tracks,
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
  }
  return { stream: stream as unknown as MediaStream, tracks }
}

describe('consult store', () => {
  it('mutes and turns the camera off by disabling tracks, without renegotiating', () => {
    const store = createPageStore()
    const { stream, tracks } = fakeStream(['audio', 'video'])
    store.getState().setLocalStream(stream, 'camera-and-microphone')
    store.getState().toggleMute()
    expect(store.getState().muted).toBe(true)
    expect(tracks.map((t) => t.enabled)).toEqual([false, true])
    store.getState().toggleCamera()
    expect(store.getState().cameraOff).toBe(true)
    expect(tracks.map((t) => t.enabled)).toEqual([false, false])
    store.getState().toggleMute()
    expect(tracks.map((t) => t.enabled)).toEqual([true, false])
  })

  it('a locked microphone stays off and ignores Mute until unlocked, then is on', () => {
    const store = createPageStore()
    const { stream, tracks } = fakeStream(['audio', 'video'])
    store.getState().setLocalStream(stream, 'camera-and-microphone')
    store.getState().setMicLocked(true)
    expect(store.getState().muted).toBe(true)
    expect(tracks.map((t) => t.enabled)).toEqual([false, true])
    store.getState().toggleMute()
    expect(tracks.map((t) => t.enabled)).toEqual([false, true])
    store.getState().setMicLocked(false)
    expect(store.getState().muted).toBe(false)
    expect(tracks.map((t) => t.enabled)).toEqual([true, true])
    // A stream set while locked comes in muted.
    store.getState().setMicLocked(true)
    const next = fakeStream(['audio'])
    store.getState().setLocalStream(next.stream, 'microphone-only')
    expect(next.tracks[0]?.enabled).toBe(false)
  })

  it('a locked camera stays off and ignores Camera until unlocked, then is on; the microphone is untouched', () => {
    const store = createPageStore()
    const { stream, tracks } = fakeStream(['audio', 'video'])
    store.getState().setLocalStream(stream, 'camera-and-microphone')
    store.getState().setCameraLocked(true)
    expect(store.getState().cameraOff).toBe(true)
    expect(tracks.map((t) => t.enabled)).toEqual([true, false])
    store.getState().toggleCamera()
    expect(tracks.map((t) => t.enabled)).toEqual([true, false])
    store.getState().setCameraLocked(false)
    expect(store.getState().cameraOff).toBe(false)
    expect(tracks.map((t) => t.enabled)).toEqual([true, true])
    // A stream set while locked comes in with its camera off.
    store.getState().setCameraLocked(true)
    const next = fakeStream(['audio', 'video'])
    store.getState().setLocalStream(next.stream, 'camera-and-microphone')
    expect(next.tracks.map((t) => t.enabled)).toEqual([true, false])
  })

  it('stops the previous camera when a new stream replaces it, and ignores toggles it cannot honour', () => {
    const store = createPageStore()
    const first = fakeStream(['audio', 'video'])
    const second = fakeStream(['audio'])
    store.getState().setLocalStream(first.stream, 'camera-and-microphone')
    store.getState().setLocalStream(second.stream, 'microphone-only')
    expect(first.tracks.every((t) => t.stopped)).toBe(true)
    expect(store.getState().cameraOff).toBe(true)
    store.getState().toggleCamera()
    expect(store.getState().cameraOff).toBe(true)
  })

  it('a microphone turned on in the call by someone let speak is on, and off again once locked', () => {
    const store = createPageStore()
    // Joined without camera or microphone to a large room: locked, then let speak, with nothing to send.
    store.getState().setLocalStream(null, 'receive-only')
    store.getState().setMicLocked(true)
    store.getState().setMicLocked(false)
    expect(store.getState().muted).toBe(true)
    const microphone = fakeStream(['audio'])
    store.getState().setLocalStream(microphone.stream, 'microphone-only')
    expect(store.getState().muted).toBe(false)
    expect(microphone.tracks[0]?.enabled).toBe(true)
    store.getState().setMicLocked(true)
    expect(microphone.tracks[0]?.enabled).toBe(false)
    store.getState().toggleMute()
    expect(microphone.tracks[0]?.enabled).toBe(false)
  })

  it('keeps running the tracks a new stream carries on, and stops only the others', () => {
    const store = createPageStore()
    const first = fakeStream(['video'])
    store.getState().setLocalStream(first.stream, 'camera-and-microphone')
    const microphone = fakeStream(['audio'])
    const tracks = [...microphone.tracks, ...first.tracks]
    const combined = {
      getTracks: () => tracks,
      getAudioTracks: () => microphone.tracks,
      getVideoTracks: () => first.tracks,
    } as unknown as MediaStream
    store.getState().setLocalStream(combined, 'camera-and-microphone')
    expect(first.tracks[0]?.stopped).toBe(false)
    store.getState().setLocalStream(null, 'camera-and-microphone')
    expect(tracks.every((t) => t.stopped)).toBe(true)
  })

  it('adds, updates and removes participants without touching the others', () => {
    const store = createCallStore()
    store.getState().upsertParticipant('a', { seat: 0, name: 'Ada', role: 'clinician', status: 'connected' })
    store.getState().upsertParticipant('b', { seat: 1 })
    const before = store.getState().participants.a
    store.getState().upsertParticipant('b', { seat: 1, muted: true })
    expect(store.getState().participants.a).toBe(before)
    expect(store.getState().participants.b).toMatchObject({ status: 'connecting', muted: true })
    store.getState().removeParticipant('b')
    store.getState().removeParticipant('nobody')
    expect(Object.keys(store.getState().participants)).toEqual(['a'])
  })

  it('has no connection quality for a participant until the first sample, then the latest one', () => {
    const store = createCallStore()
    store.getState().upsertParticipant('a', { seat: 0, name: 'Ada', status: 'connected' })
    expect(store.getState().participants.a?.quality).toBeNull()
    const quality = { rttMs: 42, lossPercent: 0, bitrateKbps: 812, fps: 30 }
    store.getState().upsertParticipant('a', { seat: 0, quality })
    expect(store.getState().participants.a).toMatchObject({ name: 'Ada', status: 'connected', quality })
  })

  it('keeps the newest CHAT_KEPT chat messages in order, and counts the older ones', () => {
    const store = createCallStore()
    const message = (n: number, at = n): ChatMessage => ({
      id: `s:${n}`,
      author: 's',
      name: 'Pat',
      role: 'patient',
      at,
      text: `m${n}`,
      mine: false,
    })
    // Out of order at first: a late one sorts into place.
    store.getState().addChatMessage(message(2))
    store.getState().addChatMessage(message(1))
    expect(store.getState().chat.map((m) => m.id)).toEqual(['s:1', 's:2'])
    for (let n = 3; n <= CHAT_KEPT + 5; n++) store.getState().addChatMessage(message(n))
    const { chat, earlierChatCount } = store.getState()
    expect(chat).toHaveLength(CHAT_KEPT)
    expect(earlierChatCount).toBe(5)
    expect(chat[0]?.id).toBe('s:6')
    expect(chat.at(-1)?.id).toBe(`s:${CHAT_KEPT + 5}`)
    // A late message older than all kept: counted, not shown.
    store.getState().addChatMessage(message(0))
    expect(store.getState().earlierChatCount).toBe(6)
    expect(store.getState().chat[0]?.id).toBe('s:6')
    // A late one in the middle: placed there, the oldest goes.
    store.getState().addChatMessage(message(-1, 500.5))
    // After messages 7…500: index 494.
    expect(
      store
        .getState()
        .chat.map((m) => m.at)
        .indexOf(500.5),
    ).toBe(494)
    expect(store.getState().chat[0]?.id).toBe('s:7')
    expect(store.getState().earlierChatCount).toBe(7)
    const ats = store.getState().chat.map((m) => m.at)
    expect(ats).toEqual([...ats].sort((a, b) => a - b))
  })

  it('takes a snapshot newest first: the newest CHAT_KEPT drawn once, older batches only counted', () => {
    const store = createCallStore()
    const message = (n: number): ChatMessage => ({
      id: `s:${n}`,
      author: 's',
      name: 'Pat',
      role: 'patient',
      at: n,
      text: `m${n}`,
      mine: false,
    })
    const total = 5 * CHAT_KEPT
    // As src/net/replication.ts snapshotOrder sends them: newest first, in messages of 500.
    const newestFirst = Array.from({ length: total }, (_, i) => message(total - i))
    const lists: ChatMessage[][] = []
    store.subscribe((state, before) => {
      if (state.chat !== before.chat) lists.push(state.chat)
    })
    for (let i = 0; i < total; i += 500) store.getState().addChatMessages(newestFirst.slice(i, i + 500))
    const { chat, earlierChatCount } = store.getState()
    expect(chat.map((m) => m.at)).toEqual(
      Array.from({ length: CHAT_KEPT }, (_, i) => total - CHAT_KEPT + 1 + i),
    )
    expect(earlierChatCount).toBe(total - CHAT_KEPT)
    // The list changed for the two batches it shows, not for the eight older ones.
    expect(lists).toHaveLength(2)
    // A batch straddling the oldest shown: the newer part placed, the rest counted.
    store.getState().addChatMessages([message(total - CHAT_KEPT + 1.5), message(1)])
    expect(store.getState().chat[0]?.at).toBe(total - CHAT_KEPT + 1.5)
    expect(store.getState().chat).toHaveLength(CHAT_KEPT)
    expect(store.getState().earlierChatCount).toBe(total - CHAT_KEPT + 2)
  })

  it('keeps one author’s messages of the same millisecond in the order written (…:4 before …:39)', () => {
    const store = createCallStore()
    const message = (id: string): ChatMessage => ({
      id,
      author: id.split(':')[0] as string,
      name: 'Pat',
      role: 'patient',
      at: 1000,
      text: id,
      mine: false,
    })
    for (const id of ['p:39', 'p:4', 'q:2', 'p:10', 'q:10']) store.getState().addChatMessage(message(id))
    expect(store.getState().chat.map((m) => m.id)).toEqual(['p:4', 'p:10', 'p:39', 'q:2', 'q:10'])
    expect(compareOpIds('p:4', 'p:39')).toBeLessThan(0)
    expect(compareOpIds('p:39', 'q:1')).toBeLessThan(0)
    expect(compareOpIds('x', 'x')).toBe(0)
  })
})
