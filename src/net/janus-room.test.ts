import { describe, expect, it } from 'vitest'
import { createRoom, seatPeerId } from '../room/invite'
import { feedOfScreen, feedOfSeat, janusRoomAccess, pickJanusUrl } from './janus-room'
import { deriveSfuRoom } from './sfu-keys'

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
    expect(a.pin).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(a.secret).not.toBe(a.pin)
  })

  it('meets with the id, PIN and secret that sfu-keys derives', async () => {
    const room = createRoom('large')
    const [access, derived] = await Promise.all([janusRoomAccess(room), deriveSfuRoom(room)])
    expect(access).toEqual({
      room: derived.janusRoom,
      pin: derived.pin,
      secret: derived.roomSecret,
      rendezvous: derived.rendezvous,
    })
  })

  it('gives each of 30 seats its own exact publisher id', async () => {
    const room = createRoom('large')
    const ids = await Promise.all(Array.from({ length: 30 }, (_, seat) => seatPeerId(room, seat)))
    const feeds = ids.map(feedOfSeat)
    expect(new Set(feeds).size).toBe(30)
    for (const feed of feeds) expect(Number.isSafeInteger(feed) && feed > 0).toBe(true)
    expect(feedOfSeat(ids[3] as string)).toBe(feeds[3])
  })

  it('gives each seat’s shared screen its own exact publisher id, apart from every seat’s and screen’s', async () => {
    const room = createRoom('large')
    const ids = await Promise.all(Array.from({ length: 30 }, (_, seat) => seatPeerId(room, seat)))
    const screens = ids.map(feedOfScreen)
    expect(new Set([...screens, ...ids.map(feedOfSeat)]).size).toBe(60)
    for (const feed of screens) expect(Number.isSafeInteger(feed) && feed > 0).toBe(true)
    // Whose screen a feed is, as every receiver tells it: the same seat for everyone with the invite.
    expect(ids.findIndex((id) => feedOfScreen(id) === screens[7])).toBe(7)
    const again = await seatPeerId({ ...room }, 7)
    expect(feedOfScreen(again)).toBe(screens[7])
  })

  it('picks the same server in any list order, the next one when it is down, and none when all are', async () => {
    const access = await janusRoomAccess(createRoom('large'))
    const urls = ['ws://a.example:8188/', 'ws://b.example:8188/', 'ws://c.example:8188/']
    expect(pickJanusUrl([], access)).toBeNull()
    const first = pickJanusUrl(urls, access)
    expect(first).not.toBeNull()
    expect(pickJanusUrl([...urls].reverse(), access)).toBe(first)
    const second = pickJanusUrl(urls, access, new Set([first as string]))
    expect(second).not.toBe(first)
    expect(pickJanusUrl([...urls].reverse(), access, new Set([first as string]))).toBe(second)
    expect(pickJanusUrl(urls, access, new Set(urls))).toBeNull()
  })
})
