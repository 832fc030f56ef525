// A whole call in Node: two runtimes over the in-memory transport, chatting, marking and sharing vitals; then
// leaving. Leaving must let go of everything: no timers, links or listeners left running, and nothing of the call
// still reachable once the page drops it (checked with the garbage collector).
import { describe, expect, it } from 'vitest'
import { addOp, pinShape } from '../annotations/test-ops'
import { MAX_CHAT_OPS_KEPT } from '../chat/channel'
import { MemoryNetwork } from '../net/memory-transport'
import { createConsultation } from '../room/credentials'
import type { Invite, Role } from '../room/invite'
import { CHAT_KEPT } from '../state/call-store'
import { createPageStore } from '../state/page-store'
import { CallRuntime } from './runtime'

async function until(condition: () => boolean, timeoutMs = 10_000) {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function open(network: MemoryNetwork, room: Record<Role, Invite>, role: Role) {
  const transport = network.transport()
  const runtime = new CallRuntime({
    invite: room[role],
    page: createPageStore(),
    transport: () => transport,
    record: false,
  })
  return { runtime, transport }
}

const connected = (runtime: CallRuntime) =>
  Object.values(runtime.store.getState().participants).filter((p) => p.status === 'connected').length

describe('CallRuntime', () => {
  it('carries chat, marks and vitals between two calls, then lets go of everything on leave', async () => {
    const network = new MemoryNetwork({ expireMs: 200 })
    const room = (await createConsultation()).invites
    const ada = open(network, room, 'clinician')
    const pat = open(network, room, 'patient')
    await ada.runtime.join('Dr. Ada')
    await pat.runtime.join('Pat Patient')
    await until(() => connected(ada.runtime) === 1 && connected(pat.runtime) === 1)

    pat.runtime.sendChat('I feel dizzy')
    pat.runtime.sharing.shareSimulated('normal')
    ada.runtime.guidance.actions.setTool('pin')
    ada.runtime.guidance.actions.pointerDown({ point: [0, 1, -1], normal: [0, 0, 1], approximate: false })
    await until(() => ada.runtime.store.getState().chat.length === 1)
    await until(() => pat.runtime.store.getState().annotations.records.size === 1)
    await until(() => ada.runtime.remoteVitals.peers().length === 1)
    expect(ada.runtime.store.getState().chat[0]).toMatchObject({ text: 'I feel dizzy', name: 'Pat Patient' })
    expect(ada.runtime.alarms.inUse()).toHaveLength(1)

    await Promise.all([ada.runtime.leave(), pat.runtime.leave()])
    for (const { runtime, transport } of [ada, pat]) {
      expect(transport.listenerCount).toBe(0)
      expect(transport.openLinks).toBe(0)
      expect(runtime.remoteVitals.peers()).toEqual([])
      expect(runtime.ownVitals.peers()).toEqual([])
      expect(runtime.alarms.inUse()).toEqual([])
      expect(runtime.space.version).toBeGreaterThan(0)
      expect(runtime.sharing.state().kind).toBeNull()
    }
    // A mark made after leaving goes nowhere and changes nothing.
    ada.runtime.guidance.actions.pointerDown({ point: [0, 1, -1], normal: [0, 0, 1], approximate: false })
    expect(ada.runtime.store.getState().annotations.records.size).toBe(1)
  })

  it('leaves nothing of a call reachable once the page lets go of it', async () => {
    const gc = (globalThis as { gc?: () => void }).gc
    expect(gc, 'vitest runs with --expose-gc (vitest.config.ts)').toBeTypeOf('function')
    const network = new MemoryNetwork({ expireMs: 200 })
    const room = (await createConsultation()).invites
    const other = open(network, room, 'patient')
    await other.runtime.join('Pat Patient')
    const refs = await (async () => {
      const { runtime } = open(network, room, 'clinician')
      await runtime.join('Dr. Ada')
      await until(() => connected(runtime) === 1)
      runtime.sendChat('hello')
      runtime.store.getState().applyAnnotationOp(addOp('someone-else', 1, 1, pinShape('x')))
      await until(() => other.runtime.store.getState().chat.length === 1)
      const held = {
        runtime: new WeakRef(runtime),
        store: new WeakRef(runtime.store),
        feed: new WeakRef(runtime.remoteVitals),
        boards: new WeakRef(runtime.alarms),
        space: new WeakRef(runtime.space),
        guidance: new WeakRef(runtime.guidance.store),
      }
      await runtime.leave()
      return held
    })()
    // The other side hears the goodbye and drops its link: nothing there holds us either.
    await until(() => connected(other.runtime) === 0)
    await new Promise((resolve) => setTimeout(resolve, 100))
    for (let i = 0; i < 5; i++) {
      gc?.()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    for (const [name, ref] of Object.entries(refs)) expect(ref.deref(), name).toBeUndefined()
    await other.runtime.leave()
  })

  it('bounds a long chat: the store keeps the newest, the op log the newest chat ops, counting the rest', async () => {
    const network = new MemoryNetwork({ expireMs: 200 })
    const room = (await createConsultation()).invites
    const { runtime } = open(network, room, 'clinician')
    await runtime.join('Dr. Ada')
    const total = MAX_CHAT_OPS_KEPT + 1200
    for (let i = 0; i < total; i++) runtime.sendChat(`note ${i}`)
    const mesh = (
      runtime as unknown as { mesh: { published(): Promise<void>; debugView(): { ops: number } } }
    ).mesh
    await mesh.published()
    const { chat, earlierChatCount } = runtime.store.getState()
    expect(chat).toHaveLength(CHAT_KEPT)
    expect(chat.at(-1)?.text).toBe(`note ${total - 1}`)
    expect(earlierChatCount).toBe(total - CHAT_KEPT)
    // What a newcomer would be sent: at most the cap and its slack of chat ops, the newest.
    expect(mesh.debugView().ops).toBeGreaterThanOrEqual(MAX_CHAT_OPS_KEPT)
    expect(mesh.debugView().ops).toBeLessThanOrEqual(MAX_CHAT_OPS_KEPT + 500)
    await runtime.leave()
  }, 60_000)

  it('gives a newcomer a long chat newest first: its list shows the newest at once, older batches are only counted', async () => {
    const network = new MemoryNetwork({ expireMs: 200 })
    const room = (await createConsultation()).invites
    const ada = open(network, room, 'clinician')
    await ada.runtime.join('Dr. Ada')
    // Within what an author may send at once on its own link (op-gate AUTHOR_BYTES.burst): 1,500 short chats.
    const total = CHAT_KEPT + 500
    for (let i = 0; i < total; i++) ada.runtime.sendChat(`note ${i}`)
    await (ada.runtime as unknown as { mesh: { published(): Promise<void> } }).mesh.published()
    const pat = open(network, room, 'patient')
    // Every version of the newcomer's list, as its chat would draw them.
    const lists: string[][] = []
    pat.runtime.store.subscribe((state, before) => {
      if (state.chat !== before.chat) lists.push(state.chat.map((m) => m.text))
    })
    await pat.runtime.join('Pat Patient')
    await until(() => pat.runtime.store.getState().earlierChatCount === total - CHAT_KEPT, 30_000)
    // The first list drawn already ends with the newest message; every op came once, the newest CHAT_KEPT shown.
    expect(lists[0]?.at(-1)).toBe(`note ${total - 1}`)
    const { chat } = pat.runtime.store.getState()
    expect(chat.map((m) => m.text)).toEqual(
      Array.from({ length: CHAT_KEPT }, (_, i) => `note ${total - CHAT_KEPT + i}`),
    )
    // The list changed for each message of ops that filled it (about 470 short chats each), and never again once
    // it was full: the older ones were only counted.
    expect(lists.filter((list) => list.length === CHAT_KEPT)).toHaveLength(1)
    expect(lists.at(-1)).toHaveLength(CHAT_KEPT)
    await pat.runtime.leave()
    await ada.runtime.leave()
  }, 60_000)
})
