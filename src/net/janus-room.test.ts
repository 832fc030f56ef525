import { describe, expect, it } from 'vitest'
import { createRoom, seatPeerId } from '../room/invite'
import { feedOfSeat, janusRoomAccess, pickJanusUrl } from './janus-room'

describe('a large room on Janus', () => {
  it('is the same room, PIN and seats for everyone holding the invite, and another for another room', async () => {
    const room = createRoom('large')
    const [a, b, other] = await Promise.all([
      janusRoomAccess(room),
      janusRoomAccess({ ...room }),
      janusRoomAccess(createRoom('large')),
    ])
    expect(a).toEqual(b)
    expect(other.room).not.toBe(a.room)
    expect(other.pin).not.toBe(a.pin)
    expect(Number.isSafeInteger(a.room) && a.room > 0).toBe(true)
    expect(a.pin).toMatch(/^[A-Za-z0-9_-]{16}$/)
    expect(a.secret).not.toBe(a.pin)
  })

  it('gives each of 30 seats its own exact publisher id', async () => {
    const room = createRoom('large')
    const ids = await Promise.all(Array.from({ length: 30 }, (_, seat) => seatPeerId(room, seat)))
    const feeds = ids.map(feedOfSeat)
    expect(new Set(feeds).size).toBe(30)
    for (const feed of feeds) expect(Number.isSafeInteger(feed) && feed > 0).toBe(true)
    expect(feedOfSeat(ids[3] as string)).toBe(feeds[3])
  })

  it('has no server when none is configured', () => {
    expect(pickJanusUrl([], createRoom('large'))).toBeNull()
    expect(pickJanusUrl(['ws://127.0.0.1:8188/'], createRoom('large'))).toBe('ws://127.0.0.1:8188/')
  })
})
