import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { ALICE, addOp, BOB, deleteOp, pinShape, strokeShape } from '../annotations/test-ops'
import { type ReceivedConsent, recordGate } from '../care/screening'
import { type Invite, ROLES, type Role } from '../room/invite'
import { type CallStore, createCallStore } from '../state/call-store'
import { VitalsFeed } from '../vitals/feed'
import { getRecord, keepsRecord, startRecording } from './recording'

// The recording against fake-indexeddb's global IndexedDB and a call's own store; no ECG is sent here.
const invite = (role: Role): Invite => ({
  roomId: 'Zk3v9QpL2mX8rT1wYb5nHA',
  secret: 'not-used-here',
  role,
  roomKey: 'not-used-here',
  credential: { key: 'not-used-here', secret: 'not-used-here', sig: 'not-used-here' },
})
const sources = (store: CallStore) => ({ store, vitals: new VitalsFeed() })

/** Runs `during` while recording as `role`; gives back the calls the record gained. */
async function record(role: Role, store: CallStore, during: () => Promise<void> | void) {
  const db = await getRecord()
  const before = new Set((await db.listCalls()).map((c) => c.id))
  const stop = startRecording(invite(role), 'Dr Grace', sources(store))
  await stop.started
  await during()
  stop()
  await db.flush()
  const added = (await db.listCalls()).filter((c) => !before.has(c.id))
  return Promise.all(added.map((c) => db.loadCall(c.id)))
}

describe('recording', () => {
  const recordingRoles = ROLES.filter((role) => keepsRecord(invite(role)))

  it('is done by the clinicians’ pages', () => {
    expect(recordingRoles).toEqual(['clinician', 'specialist'])
  })

  it.each(recordingRoles)(
    'records the annotations for a %s, those there before it started too',
    async (role) => {
      const callStore = createCallStore()
      const store = callStore.getState()
      const early = addOp(BOB, 1, 1, pinShape('before the record opened'))
      store.applyAnnotationOp(early)
      const [loaded, ...others] = await record(role, callStore, () => {
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
      const callStore = createCallStore()
      const calls = await record(role, callStore, () =>
        callStore.getState().applyAnnotationOp(addOp(ALICE, 1, 1, pinShape('x'))),
      )
      expect(calls, role).toEqual([])
    }
  })

  it('leaves nothing listening when the call is left while the record opens', async () => {
    const db = await getRecord()
    const before = new Set((await db.listCalls()).map((c) => c.id))
    const callStore = createCallStore()
    const stop = startRecording(invite('clinician'), 'Dr Grace', sources(callStore))
    stop()
    await stop.started
    // Annotations of whatever comes next must not land in the call that was left.
    callStore.getState().applyAnnotationOp(addOp(ALICE, 1, 1, pinShape('next call')))
    await db.flush()
    const [left, ...others] = (await db.listCalls()).filter((c) => !before.has(c.id))
    expect(others).toEqual([])
    expect(left?.annotationCount).toBe(0)
    expect(left?.endedAt).toBeTypeOf('number')
  })
})

describe('a shared file kept in the record', () => {
  it('is written beside its entry when the clinician keeps it, and dropped when they stop', async () => {
    const db = await getRecord()
    const before = new Set((await db.listCalls()).map((c) => c.id))
    const bytes = new Uint8Array([37, 80, 68, 70, 45, 49])
    const item = {
      name: 'report.pdf',
      mime: 'application/pdf',
      size: bytes.length,
      sha256: 'a'.repeat(64),
      sharedBy: 'Dr Grace',
      sharedAt: 1_700_000_000_000,
    }
    const hook: {
      keep: ((sha256: string, file: { bytes: Uint8Array; mime: string } | null) => void) | null
    } = {
      keep: null,
    }
    const stop = startRecording(invite('clinician'), 'Dr Grace', {
      ...sources(createCallStore()),
      onShared: (handler) => {
        handler(item)
        return () => undefined
      },
      onKeep: (handler) => {
        hook.keep = handler
        return () => {
          hook.keep = null
        }
      },
    })
    await stop.started
    const callId = (await db.listCalls()).find((c) => !before.has(c.id))?.id ?? ''
    const kept = async () => (await db.listCalls()).find((c) => c.id === callId)?.sharedItems?.[0]
    hook.keep?.(item.sha256, { bytes, mime: item.mime })
    await db.flush()
    const file = (await kept())?.file
    expect(file && new Uint8Array(await file.arrayBuffer())).toEqual(bytes)
    hook.keep?.(item.sha256, null)
    await db.flush()
    expect((await kept())?.file).toBeUndefined()
    stop()
    expect(hook.keep).toBeNull()
  })
})

describe('recording with the patient’s consent', () => {
  /** A gate driven by hand: the patient's answer and whether a patient is in the call. */
  function manualGate() {
    const listeners = new Set<() => void>()
    let consent: ReceivedConsent | undefined
    let others: Array<{ role?: string }> = []
    return {
      source: {
        now: () => recordGate(consent, others),
        consent: () => consent,
        subscribe: (listener: () => void) => {
          listeners.add(listener)
          return () => listeners.delete(listener)
        },
      },
      set(next: { consent?: ReceivedConsent; others?: Array<{ role?: string }> }) {
        if (next.consent) consent = next.consent
        if (next.others) others = next.others
        for (const listener of listeners) listener()
      },
    }
  }
  const answer = (decision: 'agreed' | 'declined', n: number): ReceivedConsent => ({
    id: `P:${n}`,
    at: Date.now(),
    patientName: 'Pat Patient',
    decision,
    noticeVersion: 1,
  })

  it('writes nothing while the patient has not answered, keeps the call once they agree, deletes it all when they decline', async () => {
    const db = await getRecord()
    const before = new Set((await db.listCalls()).map((c) => c.id))
    const added = async () => (await db.listCalls()).filter((c) => !before.has(c.id))
    const callStore = createCallStore()
    const gate = manualGate()
    const stop = startRecording(invite('clinician'), 'Dr Grace', { ...sources(callStore), gate: gate.source })
    await stop.started
    gate.set({ others: [{ role: 'patient' }] })
    callStore.getState().applyAnnotationOp(addOp(ALICE, 1, 1, pinShape('before the answer')))
    await new Promise((resolve) => setTimeout(resolve, 50))
    await db.flush()
    expect(await added()).toEqual([])

    gate.set({ consent: answer('agreed', 1) })
    await expect.poll(async () => (await added())[0]?.consent?.decision).toBe('agreed')
    await db.flush()
    const [kept] = await added()
    expect(kept?.patientName).toBe('Pat Patient')
    // What was there when the record opened is part of it.
    expect(kept?.annotationCount).toBe(1)

    gate.set({ consent: answer('declined', 2) })
    await expect.poll(added).toEqual([])
    // Nothing more lands anywhere after a decline.
    callStore.getState().applyAnnotationOp(addOp(ALICE, 2, 2, pinShape('after the decline')))
    stop()
    await new Promise((resolve) => setTimeout(resolve, 50))
    await db.flush()
    expect(await added()).toEqual([])
  })

  it('records a call without a patient once someone else is there', () => {
    expect(recordGate(undefined, [])).toBe('hold')
    expect(recordGate(undefined, [{ role: 'specialist' }])).toBe('record')
    expect(recordGate(undefined, [{ role: 'specialist' }, { role: 'patient' }])).toBe('hold')
    expect(recordGate(undefined, [{ role: undefined }])).toBe('hold')
    expect(recordGate({ decision: 'agreed' }, [{ role: 'patient' }])).toBe('record')
    expect(recordGate({ decision: 'declined' }, [])).toBe('discard')
  })
})
