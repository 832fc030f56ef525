// The chat channel's own rules: a message names its author as their member record does, and the op log keeps
// only the newest MAX_CHAT_OPS_KEPT chat ops.
import { describe, expect, it } from 'vitest'
import { createChatChannel, MAX_CHAT_OPS_KEPT } from './channel'
import type { ChatOp } from './wire'

const author = 'A'.repeat(22)
const chat = (n: number): ChatOp => ({
  kind: 'chat',
  id: `${author}:${n}`,
  author,
  at: n,
  name: 'Pat Patient',
  role: 'patient',
  text: `message ${n}`,
})

function channel() {
  const shown: string[] = []
  const chatChannel = createChatChannel({
    self: () => ({ session: 'me', name: 'Dr. Ada', role: 'clinician' }),
    publish: () => undefined,
    nextOpId: () => 'me:1',
    show: (entries) => shown.push(...entries.map((entry) => entry.id)),
  })
  return { chatChannel, shown }
}

describe('chat channel', () => {
  it('takes a message only with its author’s own name and role', () => {
    const { chatChannel } = channel()
    const pat = { name: 'Pat Patient', role: 'patient' as const }
    expect(chatChannel.validate(chat(1), pat)).toBe(true)
    expect(chatChannel.validate({ ...chat(1), name: 'Dr. Victim' }, pat)).toBe(false)
    expect(chatChannel.validate({ ...chat(1), role: 'clinician' }, pat)).toBe(false)
  })

  it('keeps the newest MAX_CHAT_OPS_KEPT chat ops in the log, cutting back in batches, never other ops', () => {
    const { chatChannel } = channel()
    const log: Array<{ kind: string; id: string }> = [{ kind: 'annotation-add', id: 'x:1' }]
    let cuts = 0
    for (let n = 1; n <= MAX_CHAT_OPS_KEPT * 2; n++) {
      const op = chat(n)
      log.push(op)
      chatChannel.applyOp(op)
      const keep = chatChannel.limitAfter(op)
      if (!keep) continue
      cuts += 1
      log.splice(0, log.length, ...log.filter(keep))
      expect(log.filter((o) => o.kind === 'chat')).toHaveLength(MAX_CHAT_OPS_KEPT)
    }
    // Not once per message: at 5,501, then every 501 more (9 times in 10,000).
    expect(cuts).toBe(9)
    const chats = log.filter((o) => o.kind === 'chat')
    expect(chats.length).toBeLessThanOrEqual(MAX_CHAT_OPS_KEPT + 500)
    expect(chats.at(-1)?.id).toBe(`${author}:${MAX_CHAT_OPS_KEPT * 2}`)
    expect(log[0]).toEqual({ kind: 'annotation-add', id: 'x:1' })
    expect(chatChannel.limitAfter({ kind: 'annotation-add' })).toBeNull()
  })

  it('cuts the oldest by date, not by arrival: a snapshot that came newest first keeps its newest', () => {
    const { chatChannel } = channel()
    let log: Array<{ kind: string; id: string }> = []
    const total = MAX_CHAT_OPS_KEPT + 501
    const apply = (op: ChatOp) => {
      log.push(op)
      chatChannel.applyOp(op)
      const keep = chatChannel.limitAfter(op)
      if (keep) log = log.filter(keep)
    }
    for (let n = total; n >= 1; n--) apply(chat(n))
    // Cut once at the 5,501st: the 501 oldest (1…501) went, though they came last.
    const ids = new Set(log.map((o) => o.id))
    expect(ids.size).toBe(MAX_CHAT_OPS_KEPT)
    expect(ids.has(`${author}:${total}`)).toBe(true)
    expect(ids.has(`${author}:501`)).toBe(false)
    expect(ids.has(`${author}:502`)).toBe(true)
    expect(chatChannel.newestFirst(chat(1))).toBe(true)
    expect(chatChannel.newestFirst({ kind: 'annotation-add' })).toBe(false)
  })
})
