// Sharing a file across whole calls in Node: the sharer's bytes reach the other side verified; a transfer cut by a
// reconnect resumes with only the missing pieces; a newcomer gets the file after its sharer left, from whoever holds
// it; a refused file sends nothing.
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryNetwork } from '../net/memory-transport'
import { createConsultation } from '../room/credentials'
import type { Invite, Role } from '../room/invite'
import { sha256Hex } from '../share/assembly'
import { createPageStore } from '../state/page-store'
import { CallRuntime } from './runtime'

async function until(condition: () => boolean, timeoutMs = 20_000) {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const open: CallRuntime[] = []
function call(network: MemoryNetwork, room: Record<Role, Invite>, role: Role) {
  const runtime = new CallRuntime({
    invite: room[role],
    page: createPageStore(),
    transport: () => network.transport(),
    record: false,
  })
  open.push(runtime)
  return runtime
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((runtime) => runtime.leave()))
})

/** A PNG's signature and header chunk, then `size` bytes in all of a known pattern. */
function pngLike(size: number): Uint8Array {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 9)) & 0xff
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52], 0)
  return bytes
}

const connected = (runtime: CallRuntime) =>
  Object.values(runtime.store.getState().participants).filter((p) => p.status === 'connected').length

describe('sharing files', () => {
  it('reaches the other side verified, and the sharer sees their progress', async () => {
    const network = new MemoryNetwork({ expireMs: 200 })
    const room = (await createConsultation()).invites
    const ada = call(network, room, 'clinician')
    const pat = call(network, room, 'patient')
    await ada.join('Dr. Ada')
    await pat.join('Pat Patient')
    await until(() => connected(ada) === 1 && connected(pat) === 1)
    const file = pngLike(700_000)
    expect(await ada.share.shareFile('x-ray.png', file)).toBeNull()
    await until(() => pat.share.items()[0]?.status === 'ready')
    const item = pat.share.items()[0]
    expect(item).toMatchObject({ name: 'x-ray.png', format: 'png', size: 700_000, authorName: 'Dr. Ada' })
    expect(await sha256Hex(item?.bytes as Uint8Array)).toBe(await sha256Hex(file))
    await until(() => Object.values(ada.share.items()[0]?.receivers ?? {})[0]?.state === 'ready')
  })

  it('resumes a transfer cut by a reconnect where it stopped, and a newcomer gets it after the sharer left', async () => {
    // 2 MB/s: a 3 MB file takes 1.5 s, so the cut lands in the middle.
    const network = new MemoryNetwork({ expireMs: 200, bytesPerMs: 2000 })
    const room = (await createConsultation()).invites
    const ada = call(network, room, 'clinician')
    const pat = call(network, room, 'patient')
    await ada.join('Dr. Ada')
    await pat.join('Pat Patient')
    await until(() => connected(ada) === 1 && connected(pat) === 1)
    const file = pngLike(3_000_000)
    await ada.share.shareFile('scan.png', file)
    await until(() => (pat.share.items()[0]?.held ?? 0) > 10)
    const heldAtCut = pat.share.items()[0]?.held ?? 0
    ;(pat as unknown as { mesh: { debugDropDataConnections(): void } }).mesh.debugDropDataConnections()
    await until(() => pat.share.items()[0]?.status === 'ready', 30_000)
    const item = pat.share.items()[0]
    expect(heldAtCut).toBeLessThan(item?.chunks ?? 0)
    expect(await sha256Hex(item?.bytes as Uint8Array)).toBe(await sha256Hex(file))
    // Only what had not arrived was sent again (a piece or two in flight at the cut may come twice).
    expect(pat.share.debugArrivals(item?.id ?? '')).toBeLessThanOrEqual((item?.chunks ?? 0) + 8)

    await ada.leave()
    const sam = call(network, room, 'specialist')
    await sam.join('Sam Specialist')
    await until(() => sam.share.items()[0]?.status === 'ready', 30_000)
    expect(await sha256Hex(sam.share.items()[0]?.bytes as Uint8Array)).toBe(await sha256Hex(file))
  }, 60_000)

  it('refuses a file that is not what it claims, in a sentence, and sends nothing', async () => {
    const network = new MemoryNetwork({ expireMs: 200 })
    const room = (await createConsultation()).invites
    const ada = call(network, room, 'clinician')
    const pat = call(network, room, 'patient')
    await ada.join('Dr. Ada')
    await pat.join('Pat Patient')
    await until(() => connected(ada) === 1 && connected(pat) === 1)
    const fakePdf = new TextEncoder().encode('%PDF-1.7\nnot really a PDF, and no end of file marker')
    expect(await ada.share.shareFile('report.pdf', fakePdf)).toMatch(/damaged or incomplete/)
    expect(await ada.share.shareFile('notes.txt', new TextEncoder().encode('hello'))).toMatch(
      /not a file that can be shared/,
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(ada.share.items()).toEqual([])
    expect(pat.share.items()).toEqual([])
  })

  it('follows the shared view, lets a participant detach, and lets only the presenter move it', async () => {
    const network = new MemoryNetwork({ expireMs: 200 })
    const room = (await createConsultation()).invites
    const ada = call(network, room, 'clinician')
    const pat = call(network, room, 'patient')
    await ada.join('Dr. Ada')
    await pat.join('Pat Patient')
    await until(() => connected(ada) === 1 && connected(pat) === 1)
    await pat.share.shareFile('photo.png', pngLike(5000))
    await until(() => ada.share.items()[0]?.status === 'ready')
    const id = ada.share.items()[0]?.id as string
    pat.share.setView(id, { page: 2 })
    await until(() => ada.share.item(id)?.view.page === 2)
    // The clinician presents: the patient's own page turn detaches only them.
    ada.share.present(id, true)
    await until(() => pat.share.item(id)?.presenter === ada.session)
    pat.share.setView(id, { page: 5 })
    expect(pat.share.item(id)).toMatchObject({ following: false, view: { page: 5 } })
    ada.share.setView(id, { page: 3 })
    await until(() => pat.share.item(id)?.presenter === ada.session)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(ada.share.item(id)?.view.page).toBe(3)
    expect(pat.share.item(id)?.view.page).toBe(5)
    pat.share.follow(id)
    expect(pat.share.item(id)?.view.page).toBe(3)
  })
})
