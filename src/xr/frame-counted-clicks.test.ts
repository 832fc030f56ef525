import { describe, expect, it } from 'vitest'
import { CLICK_FRAMES, countShortPressesByFrames, type FrameSession } from './frame-counted-clicks'

/** A session whose frames and select events the test drives; events carry their own creation time. */
class FakeSession extends EventTarget implements FrameSession {
  private callbacks = new Map<number, () => void>()
  private next = 1
  now = 0
  requestAnimationFrame(callback: () => void) {
    const handle = this.next++
    this.callbacks.set(handle, callback)
    return handle
  }
  cancelAnimationFrame(handle: number) {
    this.callbacks.delete(handle)
  }
  /** One frame: its events first (as a browser dispatches input events), then the frame's callbacks. */
  frame(durationMs: number, events: Array<{ type: 'selectstart' | 'selectend'; source: object }> = []) {
    const seen: Array<{ type: string; timeStamp: number }> = []
    for (const { type, source } of events) {
      const event = Object.assign(new Event(type), { inputSource: source })
      Object.defineProperty(event, 'timeStamp', { value: this.now, configurable: true, writable: false })
      // What a pointer's own (later, non-capture) listener reads.
      this.addEventListener(type, (e) => seen.push({ type, timeStamp: e.timeStamp }), { once: true })
      this.dispatchEvent(event)
    }
    const due = [...this.callbacks.values()]
    this.callbacks.clear()
    for (const callback of due) callback()
    this.now += durationMs
    return seen
  }
  get pendingFrames() {
    return this.callbacks.size
  }
}

describe('a press seen down for a few XR frames', () => {
  it('counts as a click however long that frame took', () => {
    const session = new FakeSession()
    countShortPressesByFrames(session)
    const hand = {}
    session.frame(11)
    const [down] = session.frame(1700, [{ type: 'selectstart', source: hand }])
    const [up] = session.frame(11, [{ type: 'selectend', source: hand }])
    expect(down?.timeStamp).toBe(11)
    // 1,700 ms later by the clock, but given the press's own time: the pointer sees a 0 ms press.
    expect(up?.timeStamp).toBe(11)
  })

  it('leaves a press held over several frames timed by the clock, and each input source on its own', () => {
    const session = new FakeSession()
    countShortPressesByFrames(session)
    const left = {}
    const right = {}
    session.frame(100, [{ type: 'selectstart', source: left }])
    session.frame(100, [{ type: 'selectstart', source: right }])
    for (let i = 1; i < CLICK_FRAMES; i++) session.frame(100)
    // Left held CLICK_FRAMES + 1 frames: timed by the clock. Right CLICK_FRAMES frames: a click.
    const ends = session.frame(100, [
      { type: 'selectend', source: left },
      { type: 'selectend', source: right },
    ])
    expect(ends.map((e) => e.timeStamp)).toEqual([(CLICK_FRAMES + 1) * 100, 100])
    // A quick press of one hand while the other is held, over two slow frames.
    session.frame(100, [{ type: 'selectstart', source: right }])
    session.frame(900)
    const [quick] = session.frame(900, [{ type: 'selectend', source: right }])
    expect(quick?.timeStamp).toBe((CLICK_FRAMES + 2) * 100)
  })

  it('stops when removed: no frame callback left, events untouched', () => {
    const session = new FakeSession()
    const remove = countShortPressesByFrames(session)
    expect(session.pendingFrames).toBe(1)
    remove()
    expect(session.pendingFrames).toBe(0)
    const hand = {}
    session.frame(700, [{ type: 'selectstart', source: hand }])
    const [up] = session.frame(10, [{ type: 'selectend', source: hand }])
    expect(up?.timeStamp).toBe(700)
  })
})
