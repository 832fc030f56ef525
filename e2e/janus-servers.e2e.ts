// Several Janus servers with no coordinator: the app is told about two real Janus servers (e2e/janus.ts), and each
// large room meets on the one its rendezvous value (derived from the invite's secret) ranks first, the same for
// everyone in it. Rooms whose values differ land on different servers and both work; once a server is stopped, a
// new room whose first choice it was finds it down and meets on the other, which is its next in the same order.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type AppServer,
  launchChromium,
  newParticipant,
  type Participant,
  RequestLog,
  startAppServer,
  startConsultation,
} from './harness'
import { type JanusServer, startJanus } from './janus.mjs'
import { joinCall } from './real-app.mjs'

const SMALL_WINDOW = { width: 480, height: 360 }
/** Rooms to try before giving up on finding one per server: each lands on either with probability 1/2. */
const MAX_ROOMS = 12

const log = new RequestLog()
let first: JanusServer
let second: JanusServer
let server: AppServer
let browser: Browser

beforeAll(async () => {
  ;[first, second] = await Promise.all([startJanus(), startJanus()])
  server = await startAppServer({ JANUS_URLS: `${first.url},${second.url}` })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await first?.stop()
  await second?.stop()
})

const bare = (url: string | null | undefined) => url?.replace(/\/$/, '') ?? null

interface TransportInfo {
  serverUrl: string | null
  downServers: string[]
}

function transportInfo(page: Page): Promise<TransportInfo> {
  return page.evaluate(() => {
    const call = (window as unknown as { __xrConsultCall?: { debugTransport(): Promise<unknown> } })
      .__xrConsultCall
    return (call?.debugTransport() ?? Promise.resolve({})) as Promise<TransportInfo>
  })
}

interface OpenRoom {
  host: Participant
  invites: Record<string, string>
  info: TransportInfo
}

/** A new large room with its host joined (`?debug`), and where it met. */
async function openRoom(name: string): Promise<OpenRoom> {
  const host = await newParticipant(browser, log, SMALL_WINDOW)
  const invites = await startConsultation(host.page, `${server.url}?debug`, 'clinician', { kind: 'large' })
  await joinCall(host.page, name, { view: 'video' })
  await expect.poll(async () => (await transportInfo(host.page)).serverUrl).not.toBeNull()
  return { host, invites, info: await transportInfo(host.page) }
}

/** A guest joins the room: it meets on the host's server, and the host's chat reaches it once. */
async function expectRoomWorks(room: OpenRoom, text: string) {
  const guest = await newParticipant(browser, log, SMALL_WINDOW)
  const url = new URL(room.invites.specialist as string)
  url.search = '?debug'
  await guest.page.goto(url.href)
  await joinCall(guest.page, 'Guest', { view: 'video' })
  expect(bare((await transportInfo(guest.page)).serverUrl)).toBe(bare(room.info.serverUrl))
  await expect.poll(() => room.host.page.getByTestId('participants').textContent()).toContain('Guest')
  await room.host.page.getByTestId('chat-input').fill(text)
  await room.host.page.getByTestId('chat-send').click()
  await expect.poll(() => guest.page.getByTestId('chat-message').filter({ hasText: text }).count()).toBe(1)
  await guest.page.close()
}

describe('large rooms over two Janus servers', () => {
  it('rooms spread over both servers by rendezvous, and a stopped server’s rooms move to the other', {
    timeout: 400_000,
  }, async () => {
    const byServer = new Map<string, OpenRoom>()
    for (let i = 0; i < MAX_ROOMS && byServer.size < 2; i++) {
      const room = await openRoom(`Host ${i}`)
      const url = bare(room.info.serverUrl) as string
      expect([bare(first.url), bare(second.url)]).toContain(url)
      expect(room.info.downServers).toEqual([])
      if (byServer.has(url)) await room.host.page.close()
      else byServer.set(url, room)
    }
    expect(byServer.size).toBe(2)
    for (const [url, room] of byServer) await expectRoomWorks(room, `Hello on ${url}`)
    for (const room of byServer.values()) await room.host.page.close()

    // The first server goes away: a new room whose first choice it was finds it down and meets on the second.
    await first.stop()
    let moved: OpenRoom | null = null
    for (let i = 0; i < MAX_ROOMS && !moved; i++) {
      const room = await openRoom(`Later host ${i}`)
      expect(bare(room.info.serverUrl)).toBe(bare(second.url))
      if (room.info.downServers.map(bare).includes(bare(first.url))) moved = room
      else await room.host.page.close()
    }
    expect(moved, 'no new room ranked the stopped server first').not.toBeNull()
    await expectRoomWorks(moved as OpenRoom, 'Hello after the move')
  })
})
