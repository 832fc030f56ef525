import 'fake-indexeddb/auto'
import { beforeEach, describe, expect, it } from 'vitest'
import { createAnnotationState } from '../annotations/model'
import { ALICE, addOp, BOB, deleteOp, pinShape, strokeShape } from '../annotations/test-ops'
import type { CallSession } from '../net/call-session'
import { ROLES, type Role } from '../room/invite'
import { consultStore } from '../state/store'
import { getRecord, keepsRecord, startRecording, stopRecording } from './recording'

// The recording glue against fake-indexeddb's global IndexedDB and the app's own store; the session only has to
// offer `onFrame`, as no ECG is sent here.
const session = { onFrame: () => () => {} } as unknown as CallSession
const invite = (role: Role) => ({ roomId: 'Zk3v9QpL2mX8rT1wYb5nHA', secret: 'not-used-here', role })

/** Runs `during` while recording as `role`; gives back the calls the record gained. */
async function record(role: Role, during: () => Promise<void> | void) {
  const db = await getRecord()
  const before = new Set((await db.listCalls()).map((c) => c.id))
  await startRecording(invite(role), 'Dr Grace', session)
  await during()
  stopRecording()
  await db.flush()
  const added = (await db.listCalls()).filter((c) => !before.has(c.id))
  return Promise.all(added.map((c) => db.loadCall(c.id)))
}

beforeEach(() => consultStore.setState({ annotations: createAnnotationState() }))

describe('recording', () => {
  const recordingRoles = ROLES.filter((role) => keepsRecord(invite(role)))

  it('is done by the clinicians’ pages', () => {
    expect(recordingRoles).toEqual(['clinician', 'specialist'])
  })

  it.each(recordingRoles)(
    'records the annotations for a %s, those there before it started too',
    async (role) => {
      const store = consultStore.getState()
      const early = addOp(BOB, 1, 1, pinShape('before the record opened'))
      store.applyAnnotationOp(early)
      const [loaded, ...others] = await record(role, () => {
        store.applyAnnotationOp(addOp(ALICE, 1, 2, strokeShape([[0, 1, -1]])))
        store.applyAnnotationOp(deleteOp(BOB, 2, early))
      })
      expect(others).toEqual([])
      expect(loaded?.annotations.map((a) => [a.id, a.removedAt !== undefined])).toEqual([
        [early.id, true],
        [`${ALICE}:1`, false],
      ])
      expect(loaded?.call.annotationCount).toBe(2)
    },
  )

  it('keeps nothing on the other roles’ pages', async () => {
    for (const role of ROLES.filter((r) => !recordingRoles.includes(r))) {
      const calls = await record(role, () =>
        consultStore.getState().applyAnnotationOp(addOp(ALICE, 1, 1, pinShape('x'))),
      )
      expect(calls, role).toEqual([])
    }
  })

  it('leaves nothing listening when the call is left while the record opens', async () => {
    const db = await getRecord()
    const before = new Set((await db.listCalls()).map((c) => c.id))
    const starting = startRecording(invite('clinician'), 'Dr Grace', session)
    stopRecording()
    await starting
    // Annotations of whatever comes next must not land in the call that was left.
    consultStore.getState().applyAnnotationOp(addOp(ALICE, 1, 1, pinShape('next call')))
    await db.flush()
    const [left, ...others] = (await db.listCalls()).filter((c) => !before.has(c.id))
    expect(others).toEqual([])
    expect(left?.annotationCount).toBe(0)
    expect(left?.endedAt).toBeTypeOf('number')
  })
})
