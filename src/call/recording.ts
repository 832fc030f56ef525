// The clinician's record of a call: the vitals the others share and the remote-guidance annotations everyone
// places are written to this browser's IndexedDB (Dexie, src/record/record.ts) while the call lasts, for the
// past-calls list and the FHIR/CSV/JSON exports. Nothing leaves the device. Dexie is loaded lazily, so the lobby
// does not carry it; the database is the page's, the recording the call's.
import { materialize } from '../annotations/model'
import type { ReceivedPlan } from '../care/aftercare'
import type { SharedRecord, VitalsRecord } from '../record/record'
import type { Invite } from '../room/invite'
import type { CallState, CallStore } from '../state/call-store'
import type { AlarmLogEntry } from '../vitals/alarms'
import type { VitalsFeed } from '../vitals/feed'

let record: VitalsRecord | null = null

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

/**
 * What a recording listens to: the call's store, and the remote vitals (numerics and ECG) as the vitals channel
 * accepted them: only the patient's, only dated near now.
 */
export interface RecordingSources {
  store: CallStore
  vitals: VitalsFeed
  /** The alarm log, entry by entry; returns the unsubscribe function. */
  onAlarmLog?: (handler: (peerId: string, entry: AlarmLogEntry) => void) => () => void
  /** Files shared in the call, each once (those shared before the record opened too); returns the unsubscribe. */
  onShared?: (handler: (item: SharedRecord) => void) => () => void
  /**
   * The clinician chose to keep a shared file itself in the record (its bytes), or not to (null); returns the
   * unsubscribe. Called for choices made before the record opened too.
   */
  onKeep?: (handler: (sha256: string, file: { bytes: Uint8Array; mime: string } | null) => void) => () => void
  /** The aftercare plan now, each time it changes (the newest plan is the plan); returns the unsubscribe. */
  onCarePlan?: (handler: (plan: ReceivedPlan) => void) => () => void
}

/**
 * Starts recording the call, for the roles that keep a record; returns how to stop. Stopping while the record is
 * still opening leaves nothing listening (the next call's vitals and annotations must not land in this one).
 */
export function startRecording(
  invite: Invite,
  displayName: string,
  sources: RecordingSources,
): (() => void) & { started: Promise<void> } {
  let stopped = false
  let stop: (() => void) | null = null
  const run = async () => {
    if (!keepsRecord(invite) || typeof indexedDB === 'undefined') return
    const db = await getRecord()
    const startedAt = Date.now()
    const callId = await db.startCall({ roomId: invite.roomId, startedAt, clinicianName: displayName })
    if (stopped) {
      void db.endCall(callId, Date.now())
      return
    }
    let patientName: string | undefined
    const unsubscribeVitals = sources.vitals.subscribe((peerId, items) => {
      db.addMeasurements(callId, items)
      const name = sources.store.getState().participants[peerId]?.name
      if (name && name !== patientName) {
        patientName = name
        void db.updateCall(callId, { patientName: name })
      }
    })
    // The annotations as drawn: the record keeps the latest list and writes what changed, about once a second.
    // `materialize` is cached per state, so this costs the scene nothing it would not compute anyway.
    const saveAnnotations = (annotations: CallState['annotations']) =>
      db.saveAnnotations(callId, materialize(annotations), Date.now())
    // Those made before the record was ready (it opens after the join) are part of the call too.
    saveAnnotations(sources.store.getState().annotations)
    const unsubscribeAnnotations = sources.store.subscribe((state, previous) => {
      if (state.annotations !== previous.annotations) saveAnnotations(state.annotations)
    })
    const unsubscribeEcg = sources.vitals.subscribeEcg((peerId, { samples, sampleRateHz }, capturedAt) => {
      // The ECG carries no source of its own: it comes with the numerics, so it is labelled like them (a
      // simulated ECG must never be exported as a measured one).
      const source = sources.vitals.get(peerId)?.tracks['heart-rate'].latest?.source ?? {
        kind: 'device' as const,
        label: 'ECG',
      }
      db.addEcg(callId, capturedAt, samples, source, sampleRateHz)
    })
    // The alarm log: every alarm raised, escalated, acknowledged, silenced, latched and cleared.
    const unsubscribeAlarms = sources.onAlarmLog?.((_peerId, entry) => db.addAlarmEvents(callId, [entry]))
    const unsubscribeShared = sources.onShared?.((item) => void db.addSharedItem(callId, item))
    const unsubscribeCarePlan = sources.onCarePlan?.((plan) => void db.setCarePlan(callId, plan))
    // After the shared items' own subscription, so an item is in the record before its file is kept there.
    const unsubscribeKeep = sources.onKeep?.(
      (sha256, file) =>
        void db.keepSharedFile(
          callId,
          sha256,
          file ? new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.mime }) : null,
        ),
    )
    stop = () => {
      unsubscribeKeep?.()
      unsubscribeCarePlan?.()
      unsubscribeShared?.()
      unsubscribeAlarms?.()
      unsubscribeVitals()
      unsubscribeAnnotations()
      unsubscribeEcg()
      void db.endCall(callId, Date.now())
    }
  }
  const started = run().catch((error: unknown) => console.warn('the vitals record is not available', error))
  const stopRecording = () => {
    stopped = true
    stop?.()
    stop = null
  }
  return Object.assign(stopRecording, { started })
}
