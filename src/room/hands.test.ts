import { describe, expect, it } from 'vitest'
import {
  applyHandOp,
  type FloorOp,
  type HandOp,
  type Hands,
  handStateOf,
  micLocked,
  NO_HANDS,
  raisedHands,
  validateHandOp,
} from './hands'

const A = 'a'.repeat(22)
const B = 'b'.repeat(22)
const P = 'p'.repeat(22)

const hand = (author: string, at: number, raised = true): HandOp => ({
  kind: 'hand',
  id: `${author}:${at}`,
  author,
  at,
  raised,
})
const floor = (session: string, at: number, speak = true): FloorOp => ({
  kind: 'floor',
  id: `${P}:${at}`,
  author: P,
  at,
  session,
  speak,
})
const all = (ops: (HandOp | FloorOp)[]): Hands => ops.reduce(applyHandOp, NO_HANDS)

describe('hands', () => {
  it('only the presenter role grants the floor; anyone raises their own hand', () => {
    expect(validateHandOp(floor(A, 1), { role: 'clinician' })).toBe(true)
    expect(validateHandOp(floor(A, 1), { role: 'patient' })).toBe(false)
    expect(validateHandOp(floor(A, 1), { role: 'specialist' })).toBe(false)
    expect(validateHandOp(hand(A, 1), { role: 'patient' })).toBe(true)
  })

  it('a hand is always its author’s own', () => {
    // The op has no target field: B cannot raise or lower A's hand.
    const hands = all([hand(A, 1), hand(B, 2, false)])
    expect(handStateOf(hands, A)).toBe('raised')
    expect(handStateOf(hands, B)).toBe('idle')
  })

  it('raise, let speak, stop, lower', () => {
    expect(handStateOf(all([hand(A, 1)]), A)).toBe('raised')
    expect(handStateOf(all([hand(A, 1), floor(A, 2)]), A)).toBe('speaking')
    expect(handStateOf(all([hand(A, 1), floor(A, 2), floor(A, 3, false)]), A)).toBe('idle')
    // Lowering one's hand while speaking gives the floor back.
    expect(handStateOf(all([hand(A, 1), floor(A, 2), hand(A, 3, false)]), A)).toBe('idle')
  })

  it('agrees whatever order the ops arrive in', () => {
    const ops = [hand(A, 1), floor(A, 2), hand(B, 3), floor(A, 4, false), hand(A, 5)]
    const expected = all(ops)
    for (const order of [ops.slice().reverse(), [2, 4, 0, 3, 1].map((i) => ops[i] as HandOp | FloorOp)]) {
      const hands = all(order)
      for (const s of [A, B]) expect(handStateOf(hands, s)).toBe(handStateOf(expected, s))
    }
  })

  it('lists raised hands first-raised first', () => {
    expect(raisedHands(all([hand(B, 2), hand(A, 3), floor(B, 4)]))).toEqual([A])
    expect(raisedHands(all([hand(B, 3), hand(A, 2)]))).toEqual([A, B])
  })

  it('locks the microphone in a large room until the presenter lets one speak', () => {
    const base = { large: true, role: 'patient' as const, self: A }
    expect(micLocked({ ...base, hands: NO_HANDS })).toBe(true)
    expect(micLocked({ ...base, hands: all([hand(A, 1)]) })).toBe(true)
    expect(micLocked({ ...base, hands: all([hand(A, 1), floor(A, 2)]) })).toBe(false)
    expect(micLocked({ ...base, role: 'clinician', hands: NO_HANDS })).toBe(false)
    expect(micLocked({ ...base, large: false, hands: NO_HANDS })).toBe(false)
  })
})
