import { describe, expect, it } from 'vitest'
import {
  type AnnotationOp,
  applyAnnotationOps,
  createAnnotationState,
  materializeItemMarks,
} from '../annotations/model'
import { SpaceFeed } from '../annotations/space'
import { createGuidance } from './guidance'

/** Guidance with a call that keeps what it publishes. */
function guidanceWithCall() {
  const published: AnnotationOp[] = []
  let counter = 0
  const guidance = createGuidance({
    space: new SpaceFeed(),
    annotations: () => applyAnnotationOps(createAnnotationState(), published),
    call: () => ({
      sessionId: 'alice-session-00000000',
      seatIndex: 0,
      displayName: 'Alice',
      nextOpId: () => `alice-session-00000000:${++counter}`,
      publish: (op) => published.push(op),
      broadcastLaser: () => undefined,
    }),
  })
  return { guidance, published }
}

describe('marks on shared items', () => {
  it('a pin on a page is placed on the item, at the page point, with the tool the viewer chose', () => {
    const { guidance, published } = guidanceWithCall()
    guidance.actions.setTool('laser')
    guidance.actions.pointerDown(
      { point: [0.25, 0.4, 0], normal: null, approximate: false, on: { item: 'bob:3', page: 1 } },
      'pin',
    )
    expect(published).toHaveLength(1)
    expect(published[0]).toMatchObject({
      kind: 'annotation-add',
      placement: { frame: 'item', item: 'bob:3', page: 1, position: [0.25, 0.4, 0] },
      shape: { type: 'pin' },
    })
    const state = applyAnnotationOps(createAnnotationState(), published)
    expect(materializeItemMarks(state, 'bob:3')).toHaveLength(1)
  })

  it('a stroke on a model keeps its points relative to where it started, in the model’s frame', () => {
    const { guidance, published } = guidanceWithCall()
    const on = { item: 'bob:4', page: 0 }
    guidance.actions.pointerDown({ point: [0.1, 0.2, 0.3], normal: null, approximate: false, on }, 'stroke')
    guidance.actions.pointerMove({ point: [0.12, 0.2, 0.3], normal: null, approximate: false, on })
    guidance.actions.pointerUp()
    const state = applyAnnotationOps(createAnnotationState(), published)
    const [stroke] = materializeItemMarks(state, 'bob:4')
    expect(stroke?.placement).toMatchObject({ frame: 'item', position: [0.1, 0.2, 0.3] })
    expect(stroke?.shape.type === 'stroke' && stroke.shape.points[1]?.[0]).toBeCloseTo(0.02, 9)
  })

  it('a mark in the worker’s space stays there', () => {
    const { guidance, published } = guidanceWithCall()
    guidance.actions.setTool('pin')
    guidance.actions.pointerDown({ point: [1, 1, -1], normal: null, approximate: false })
    expect(published[0]).toMatchObject({ placement: { frame: 'world', position: [1, 1, -1] } })
  })
})
