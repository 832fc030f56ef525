// The clinician's record of a call's vitals: what the others share is written to this browser's IndexedDB (Dexie,
// src/vitals/record.ts) while the call lasts, for the past-calls list and the FHIR/CSV export. Nothing leaves the
// device. Loaded lazily, so the lobby does not carry Dexie.
import type { CallSession } from '../net/call-session'
import type { Invite } from '../room/invite'
import { consultStore } from '../state/store'
import type { VitalsRecord } from '../vitals/record'
import { remoteVitals } from './vitals-feeds'

let record: VitalsRecord | null = null
let stop: (() => void) | null = null

/** The page's record database, opened on first use. */
export async function getRecord(): Promise<VitalsRecord> {
  if (!record) {
    const { openRecord } = await import('../vitals/record')
    record = openRecord(undefined, {
      onError: (error) => console.warn('the vitals record could not be written', error),
    })
  }
  return record
}

/** Roles whose client keeps the record: the clinicians. */
export function keepsRecord(invite: Invite): boolean {
  return invite.role === 'clinician' || invite.role === 'specialist'
}

export async function startRecording(invite: Invite, displayName: string, session: CallSession) {
  stopRecording()
  if (!keepsRecord(invite) || typeof indexedDB === 'undefined') return
  const db = await getRecord()
  const startedAt = Date.now()
  const callId = await db.startCall({ roomId: invite.roomId, startedAt, clinicianName: displayName })
  let patientName: string | undefined
  const unsubscribeVitals = remoteVitals.subscribe((peerId, items) => {
    db.addMeasurements(callId, items)
    const name = consultStore.getState().participants[peerId]?.name
    if (name && name !== patientName) {
      patientName = name
      void db.updateCall(callId, { patientName: name })
    }
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
  stop = () => {
    unsubscribeVitals()
    unsubscribeFrames()
    void db.endCall(callId, Date.now())
  }
}

export function stopRecording() {
  stop?.()
  stop = null
}
