// The clinician's record of a call: the vitals the others share and the remote-guidance annotations everyone
// places are written to this browser's IndexedDB (Dexie, src/record/record.ts) while the call lasts, for the
// past-calls list and the FHIR/CSV/JSON exports. Nothing leaves the device. Dexie is loaded lazily, so the lobby
// does not carry it.
import { materialize } from '../annotations/model'
import type { CallSession } from '../net/call-session'
import type { VitalsRecord } from '../record/record'
import type { Invite } from '../room/invite'
import { type ConsultState, consultStore } from '../state/store'
import { onAlarmLog } from './alarms'
import { remoteVitals } from './vitals-feeds'

let record: VitalsRecord | null = null
let stop: (() => void) | null = null
/** Bumped by every stop: a start that finds it moved while the database opened was left meanwhile. */
let generation = 0

/** The page's record database, opened on first use. */
export async function getRecord(): Promise<VitalsRecord> {
  if (!record) {
    const { openRecord } = await import('../record/record')
    record = openRecord(undefined, {
      onError: (error) => console.warn('the vitals record could not be written', error),
    })
  }
  return record
}

/** Roles whose client keeps the record, vitals and annotations alike: the clinicians. */
export function keepsRecord(invite: Invite): boolean {
  return invite.role === 'clinician' || invite.role === 'specialist'
}

export async function startRecording(invite: Invite, displayName: string, session: CallSession) {
  stopRecording()
  const started = generation
  if (!keepsRecord(invite) || typeof indexedDB === 'undefined') return
  const db = await getRecord()
  const startedAt = Date.now()
  const callId = await db.startCall({ roomId: invite.roomId, startedAt, clinicianName: displayName })
  // Left while the record opened: nothing would ever unsubscribe what follows, and the next call's vitals and
  // annotations would land in this one.
  if (started !== generation) {
    void db.endCall(callId, Date.now())
    return
  }
  let patientName: string | undefined
  const unsubscribeVitals = remoteVitals.subscribe((peerId, items) => {
    db.addMeasurements(callId, items)
    const name = consultStore.getState().participants[peerId]?.name
    if (name && name !== patientName) {
      patientName = name
      void db.updateCall(callId, { patientName: name })
    }
  })
  // The annotations as drawn: the record keeps the latest list and writes what changed, about once a second.
  // `materialize` is cached per state, so this costs the scene nothing it would not compute anyway.
  const saveAnnotations = (annotations: ConsultState['annotations']) =>
    db.saveAnnotations(callId, materialize(annotations), Date.now())
  // Those made before the record was ready (it opens after the join) are part of the call too.
  saveAnnotations(consultStore.getState().annotations)
  const unsubscribeAnnotations = consultStore.subscribe((state, previous) => {
    if (state.annotations !== previous.annotations) saveAnnotations(state.annotations)
  })
  const unsubscribeFrames = session.onFrame((peerId, frame) => {
    if (frame.kind !== 'waveform') return
    // The ECG carries no source of its own: it comes with the numerics, so it is labelled like them (a simulated
    // ECG must never be exported as a measured one).
    const source = remoteVitals.get(peerId)?.tracks['heart-rate'].latest?.source ?? {
      kind: 'device' as const,
      label: 'ECG',
    }
    db.addEcg(callId, frame.capturedAt, frame.samples, source, frame.sampleRateHz)
  })
  // The alarm log (issue 12): every alarm raised, escalated, acknowledged, silenced, latched and cleared.
  const unsubscribeAlarms = onAlarmLog((_peerId, entry) => db.addAlarmEvents(callId, [entry]))
  stop = () => {
    unsubscribeAlarms()
    unsubscribeVitals()
    unsubscribeAnnotations()
    unsubscribeFrames()
    void db.endCall(callId, Date.now())
  }
}

export function stopRecording() {
  generation++
  stop?.()
  stop = null
}
