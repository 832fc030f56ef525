import { afterEach, describe, expect, it, vi } from 'vitest'
import { ID_EXISTS, NO_SUCH_ROOM, rejoinSeat, watchConnectionLoss } from './janus-rejoin'

/** A Janus error as janode reports it: the code on `_code`. */
function janusError(code: number) {
  return Object.assign(new Error(`janus ${code}`), { _code: code })
}

/** Steps whose join answers with the given outcomes in turn, recording what was asked. */
function steps(outcomes: Array<number | 'ok'>) {
  const asked: string[] = []
  return {
    asked,
    join: async () => {
      asked.push('join')
      const outcome = outcomes.shift()
      if (outcome === 'ok') return { feed: 7 }
      throw janusError(outcome ?? 500)
    },
    kick: async () => asked.push('kick'),
    createRoom: async () => asked.push('create'),
    codeOf: (error: unknown) => (error as { _code?: number })._code,
  }
}

describe('taking our seat back on Janus', () => {
  it('joins at once when the old publisher is already gone', async () => {
    const s = steps(['ok'])
    await expect(rejoinSeat(s)).resolves.toEqual({ feed: 7 })
    expect(s.asked).toEqual(['join'])
  })

  it('kicks a stale publisher of ours that still holds the seat, then joins', async () => {
    const s = steps([ID_EXISTS, 'ok'])
    await expect(rejoinSeat(s)).resolves.toEqual({ feed: 7 })
    expect(s.asked).toEqual(['join', 'kick', 'join'])
  })

  it('creates the room on a server that does not have it (restarted, or the next one), then joins', async () => {
    const s = steps([NO_SUCH_ROOM, ID_EXISTS, 'ok'])
    await expect(rejoinSeat(s)).resolves.toEqual({ feed: 7 })
    expect(s.asked).toEqual(['join', 'create', 'join', 'kick', 'join'])
  })

  it('kicks only once: someone else in the seat after a kick is an error for the caller to retry later', async () => {
    const s = steps([ID_EXISTS, ID_EXISTS, 'ok'])
    await expect(rejoinSeat(s)).rejects.toMatchObject({ _code: ID_EXISTS })
    expect(s.asked).toEqual(['join', 'kick', 'join'])
  })

  it('passes any other failure on', async () => {
    const s = steps([433])
    await expect(rejoinSeat(s)).rejects.toMatchObject({ _code: 433 })
    expect(s.asked).toEqual(['join'])
  })
})

/** A connection whose state the test sets, as the browser would, with its state-change event. */
function fakeConnection() {
  const target = new EventTarget()
  const pc = {
    connectionState: 'connected' as RTCPeerConnectionState,
    addEventListener: target.addEventListener.bind(target),
    removeEventListener: target.removeEventListener.bind(target),
    set(state: RTCPeerConnectionState) {
      pc.connectionState = state
      target.dispatchEvent(new Event('connectionstatechange'))
    },
  }
  return pc
}

describe('watching the publishing connection', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('says lost at once when it fails, and only once', () => {
    const pc = fakeConnection()
    const lost = vi.fn()
    watchConnectionLoss(pc as unknown as RTCPeerConnection, lost, 5000)
    pc.set('failed')
    pc.set('failed')
    expect(lost).toHaveBeenCalledTimes(1)
    expect(lost).toHaveBeenCalledWith('publisher connection failed')
  })

  it('lets a short disconnection recover, and calls a long one lost', () => {
    vi.useFakeTimers()
    const pc = fakeConnection()
    const lost = vi.fn()
    watchConnectionLoss(pc as unknown as RTCPeerConnection, lost, 5000)
    pc.set('disconnected')
    vi.advanceTimersByTime(4000)
    pc.set('connected')
    vi.advanceTimersByTime(10_000)
    expect(lost).not.toHaveBeenCalled()
    pc.set('disconnected')
    vi.advanceTimersByTime(5000)
    expect(lost).toHaveBeenCalledWith('publisher connection disconnected')
  })

  it('says nothing once stopped (the transport closed it itself)', () => {
    const pc = fakeConnection()
    const lost = vi.fn()
    const stop = watchConnectionLoss(pc as unknown as RTCPeerConnection, lost, 5000)
    stop()
    pc.set('failed')
    expect(lost).not.toHaveBeenCalled()
  })
})
