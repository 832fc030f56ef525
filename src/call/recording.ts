// The clinician's record of a call: the vitals the others share and the remote-guidance annotations everyone
// places are written to this browser's IndexedDB (Dexie, src/record/record.ts) while the call lasts, for the
// past-calls list and the FHIR/CSV/JSON exports. Nothing leaves the device. Dexie is loaded lazily, so the lobby
// does not carry it; the database is the page's, the recording the call's.
import { materialize } from '../annotations/model'
import type { ReceivedPlan } from '../care/aftercare'
import type { ReceivedConsent, ReceivedScreening, RecordGate } from '../care/screening'
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
  /** The patient's screening answers, each once (those sent before the record opened too); returns the unsubscribe. */
  onScreening?: (handler: (screening: ReceivedScreening) => void) => () => void
}

/** What decides whether the record may be written now (the patient's consent), and when that may change. */
export interface RecordGateSource {
  now: () => RecordGate
  /** The patient's answer, kept with the record once it is written. */
  consent: () => ReceivedConsent | undefined
  /** Called whenever the gate may have changed; returns the unsubscribe. */
  subscribe: (listener: () => void) => () => void
}

/**
 * Starts recording the call, for the roles that keep a record; returns how to stop. With a gate, nothing is written
 * until it says `record` (the patient agreed, or no patient is in the call); `hold` stops writing (nothing new is
 * kept) and `discard` deletes what was kept of the call (the patient declined). Without one, it records at once.
 * Stopping while the record is still opening leaves nothing listening (the next call's vitals and annotations must
 * not land in this one).
 */
export function startRecording(
  invite: Invite,
  displayName: string,
  sources: RecordingSources & { gate?: RecordGateSource },
): (() => void) & { started: Promise<void> } {
  let stopped = false
  /** The call's id in the record, once it has one; undefined again after a discard. */
  let callId: string | undefined
  /** Unsubscribes what writes into the record, while writing. */
  let listening: (() => void) | null = null
  /** Every open, pause, discard and end, in order: each waits for the one before (they are asynchronous). */
  let chain: Promise<void> = Promise.resolve()
  // Kept across pauses: a file or a screening that arrived while on hold is written once when writing resumes.
  const sharedKept = new Set<string>()
  const screeningsKept = new Set<string>()
  let consentKept: string | undefined

  const listen = (db: VitalsRecord, id: string) => {
    let patientName: string | undefined
    const unsubscribeVitals = sources.vitals.subscribe((peerId, items) => {
      db.addMeasurements(id, items)
      const name = sources.store.getState().participants[peerId]?.name
      if (name && name !== patientName) {
        patientName = name
        void db.updateCall(id, { patientName: name })
      }
    })
    // The annotations as drawn: the record keeps the latest list and writes what changed, about once a second.
    // `materialize` is cached per state, so this costs the scene nothing it would not compute anyway.
    const saveAnnotations = (annotations: CallState['annotations']) =>
      db.saveAnnotations(id, materialize(annotations), Date.now())
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
      db.addEcg(id, capturedAt, samples, source, sampleRateHz)
    })
    // The alarm log: every alarm raised, escalated, acknowledged, silenced, latched and cleared.
    const unsubscribeAlarms = sources.onAlarmLog?.((_peerId, entry) => db.addAlarmEvents(id, [entry]))
    const unsubscribeShared = sources.onShared?.((item) => {
      const key = `${item.sha256}|${item.sharedAt}|${item.sharedBy}`
      if (sharedKept.has(key)) return
      sharedKept.add(key)
      void db.addSharedItem(id, item)
    })
    const unsubscribeCarePlan = sources.onCarePlan?.((plan) => void db.setCarePlan(id, plan))
    const unsubscribeScreening = sources.onScreening?.((screening) => {
      if (screeningsKept.has(screening.id)) return
      screeningsKept.add(screening.id)
      void db.addScreening(id, screening)
    })
    // After the shared items' own subscription, so an item is in the record before its file is kept there.
    const unsubscribeKeep = sources.onKeep?.(
      (sha256, file) =>
        void db.keepSharedFile(
          id,
          sha256,
          file ? new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.mime }) : null,
        ),
    )
    return () => {
      unsubscribeKeep?.()
      unsubscribeScreening?.()
      unsubscribeCarePlan?.()
      unsubscribeShared?.()
      unsubscribeAlarms?.()
      unsubscribeVitals()
      unsubscribeAnnotations()
      unsubscribeEcg()
    }
  }

  /** Brings the record in line with the gate: opens, pauses, discards. */
  const follow = () => {
    chain = chain.then(async () => {
      // A call left while its record opens still gets its (empty, ended) entry, as before consent existed.
      const gate = sources.gate?.now() ?? 'record'
      if (gate === 'record' && listening) return keepConsent(await getRecord())
      if (gate !== 'record') {
        listening?.()
        listening = null
        if (gate === 'discard' && callId !== undefined) {
          const db = await getRecord()
          const id = callId
          callId = undefined
          sharedKept.clear()
          screeningsKept.clear()
          consentKept = undefined
          await db.deleteCall(id)
        }
        return
      }
      const db = await getRecord()
      callId ??= await db.startCall({
        roomId: invite.roomId,
        startedAt: Date.now(),
        clinicianName: displayName,
      })
      // Left while the call was being created (the stop may have run before this opened it): it ends here.
      if (stopped) return db.endCall(callId, Date.now())
      // Changed while the call was being created: the next turn of `follow` sees it.
      if ((sources.gate?.now() ?? 'record') !== 'record') return
      listening = listen(db, callId)
      await keepConsent(db)
    })
    return chain
  }

  /** The patient's answer, with the record (once per answer). */
  const keepConsent = async (db: VitalsRecord) => {
    const consent = sources.gate?.consent()
    if (!consent || callId === undefined || consentKept === consent.id) return
    consentKept = consent.id
    await db.setConsent(callId, consent)
    if (consent.patientName) await db.updateCall(callId, { patientName: consent.patientName })
  }

  let unsubscribeGate: (() => void) | undefined
  const started = (async () => {
    if (!keepsRecord(invite) || typeof indexedDB === 'undefined') return
    // Opened (empty) at once, whatever the patient answers: the lobby lists past calls where the database
    // exists, and a clinician whose first calls were not kept should still find the section (saying none are).
    // (Dexie opens on first use: a read creates the empty database.)
    await (await getRecord()).listCalls()
    unsubscribeGate = sources.gate?.subscribe(() => void follow())
    await follow()
    // Whatever was queued meanwhile (a stop right after the start) is done too.
    for (let settled = chain; ; settled = chain) {
      await settled
      if (settled === chain) break
    }
  })().catch((error: unknown) => console.warn('the vitals record is not available', error))

  const stopRecording = () => {
    if (stopped) return
    stopped = true
    unsubscribeGate?.()
    listening?.()
    listening = null
    chain = chain
      .then(async () => {
        listening?.()
        listening = null
        if (callId !== undefined) await (await getRecord()).endCall(callId, Date.now())
      })
      .catch((error: unknown) => console.warn('the vitals record could not be closed', error))
  }
  return Object.assign(stopRecording, { started })
}
