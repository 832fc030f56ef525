// The clinician's record of a call's vital signs and remote-guidance annotations, kept in this browser's IndexedDB
// (through Dexie) and nowhere else: no server ever sees it. It lists past calls and hands one call back whole for
// the FHIR, CSV and annotation exports (fhir.ts, csv.ts, annotation-document.ts), which are pure.
//
// Writes are queued and flushed together, every second or every 200 items, whichever comes first. A 250 Hz ECG
// in 400 ms frames is 2.5 chunks a second plus a few vitals, and a sender that hands over single samples would be
// 250; one IndexedDB transaction each means a commit, a structured clone and a round of events each, on the
// main thread that also draws the call. Batched, it is about one transaction a second, and a burst (a device
// replaying its memory) is written in slices of 200. The price: a tab that dies loses at most the last second of
// readings. A batch whose write fails is reported through `onError` and not retried (a full disk stays full).
//
// Annotations are not a stream but a state that changes (a stroke grows by 20 points a second while drawn), so the
// record is handed the whole list each time it changes and keeps the latest per call; the flush writes only the
// annotations that differ from what it last wrote, in the same transaction as the readings. One that disappears
// (deleted, cleared, pushed out by the limit) keeps its row with `removedAt`: the record says what was shown, and
// when, not only what was left at the end.
//
// The alarm log (src/vitals/alarms.ts `AlarmLogEntry`: every alarm raised, escalated, acknowledged, silenced,
// latched and cleared, and every change of alarm settings) is queued and written like the readings. The patient's
// identifier (an MRN the clinician types in) is kept on the call, for the export's Patient.

import Dexie, { type EntityTable, type IndexableType, type Table } from 'dexie'
import type { Annotation } from '../annotations/model'
import type { ReceivedPlan } from '../care/aftercare'
import type { ReceivedConsent, ReceivedScreening } from '../care/screening'
import type { Role } from '../room/invite'
import type { AlarmLogEntry } from '../vitals/alarms'
import {
  ECG_SAMPLE_RATE_HZ,
  type Measurement,
  type MeasurementQuality,
  type Source,
  VITALS,
  type VitalKind,
} from '../vitals/types'
import { RECORD_DB_NAME } from './db-name'

/** Flush the write queue at least this often, ms: the most a crashed tab can lose. */
export const FLUSH_INTERVAL_MS = 1000
/** Flush as soon as this many items wait, so a burst (a device replaying its memory) is written in slices. */
export const FLUSH_MAX_ITEMS = 200

export { RECORD_DB_NAME }

export interface CallParticipant {
  name: string
  role: Role
}

/** What the caller knows when a call starts. */
export interface CallMeta {
  /** The room id from the invite. Only a short hash of it is stored (see `roomLabel`). */
  roomId: string
  /** ms since the Unix epoch. */
  startedAt: number
  patientName?: string
  clinicianName?: string
  participants?: readonly CallParticipant[]
}

export interface CallRecord {
  /** A random UUID, unrelated to the room. */
  id: string
  /**
   * The first 8 hex digits of SHA-256 over the room id: tells calls of the same room apart in the list without
   * keeping the room id, which with the secret would let whoever reads this database derive the room's seat ids.
   */
  roomLabel: string
  /** ms since the Unix epoch. */
  startedAt: number
  /** ms since the Unix epoch; missing if the call never ended cleanly (the tab closed or crashed). */
  endedAt?: number
  patientName?: string
  clinicianName?: string
  participants: CallParticipant[]
  /** Kept up to date in the same transaction as the writes, so the list needs no scan of the data. */
  observationCount: number
  ecgSampleCount: number
  /** Annotations recorded in the call, removed ones included (0 for calls recorded before annotations were). */
  annotationCount: number
  /** Alarm log entries recorded in the call (0 for calls recorded before the log was). */
  alarmEventCount: number
  /**
   * The patient's identifier in the clinician's own system (a medical record number), as the clinician typed
   * it after or during the call; absent: the export marks the patient as not identified.
   */
  patientIdentifier?: PatientIdentifier
  /** Files shared in the call, in the order they became known here (absent: none, or recorded before sharing). */
  sharedItems?: SharedRecord[]
  /** The aftercare plan the clinician sent in the call, the newest (absent: none). A FHIR CarePlan in the export. */
  carePlan?: ReceivedPlan
  /** The patient's answers to the screening questionnaires, the newest per questionnaire (absent: none). */
  screenings?: ReceivedScreening[]
  /** The patient's agreement to this record (a FHIR Consent in the export); absent in calls without a patient. */
  consent?: ReceivedConsent
}

/**
 * A file shared in the call, as the record keeps it: what it was and who shared it when, with its SHA-256 (the
 * file itself is not kept).
 */
export interface SharedRecord {
  name: string
  /** MIME type, from the format told by its content. */
  mime: string
  /** bytes */
  size: number
  /** lowercase hex */
  sha256: string
  sharedBy: string
  /** ms since the Unix epoch, by the sharer's clock. */
  sharedAt: number
  /**
   * The file itself, when the clinician chose to keep it in the record (absent: only what it was is kept). A
   * Blob, which IndexedDB keeps apart from the row: listing the calls does not read the files.
   */
  file?: Blob
}

/** A medical record number, and optionally the URI of the system that issued it (FHIR Identifier.system). */
export interface PatientIdentifier {
  value: string
  system?: string
}
/** Longest identifier kept: MRNs are short; this only stops a paste of a whole document. */
export const MAX_IDENTIFIER_LENGTH = 64

/** A stretch of ECG as it arrived: one lead, int16 counts (`ECG_MICROVOLTS_PER_COUNT` µV each). */
export interface EcgChunk {
  /** Time of the first sample, ms since the Unix epoch. */
  at: number
  /** Hz */
  sampleRateHz: number
  samples: Int16Array
  source: Source
}

/** An annotation as the record keeps it: as it was last shown, and when this device showed it. */
export interface RecordedAnnotation extends Annotation {
  /** When the record first saw it, ms since the Unix epoch, by this device's clock (`createdAt` is the author's). */
  seenAt: number
  /** When it stopped being shown (deleted, cleared, or pushed out by the limit), ms; absent while shown. */
  removedAt?: number
}

export interface LoadedCall {
  call: CallRecord
  /** Oldest first. */
  observations: Measurement[]
  /** Oldest first. */
  ecg: EcgChunk[]
  /** In drawing order (clock, then id), removed ones included. */
  annotations: RecordedAnnotation[]
  /** The alarm log, oldest first. */
  alarmLog: AlarmLogEntry[]
}

/** One measurement as stored: blood pressure's numbers go in `values` as [systolic, diastolic, mean?]. */
interface ObservationRow {
  id?: number
  callId: string
  kind: VitalKind
  at: number
  values: number[]
  /** UCUM code, kept with the row so an old record still reads right if a definition's unit ever changes. */
  unit: string
  source: Source
  quality: MeasurementQuality
  /** kind|at|source kind|source label: the same measurement delivered twice has the same key. */
  key: string
  /** What else the reading said (issue 12): reasons, spot, the device's own value, site, specimen. */
  details?: MeasurementDetails
}

type MeasurementDetails = Pick<Measurement, 'questionableBecause' | 'spot' | 'sent' | 'site' | 'specimen'>
const DETAIL_FIELDS = ['questionableBecause', 'spot', 'sent', 'site', 'specimen'] as const

interface AlarmEventRow extends AlarmLogEntry {
  id?: number
  callId: string
}

interface EcgRow extends EcgChunk {
  id?: number
  callId: string
}

interface AnnotationRow extends RecordedAnnotation {
  callId: string
}

type RecordDb = Dexie & {
  calls: EntityTable<CallRecord, 'id'>
  observations: EntityTable<ObservationRow, 'id'>
  ecg: EntityTable<EcgRow, 'id'>
  annotations: Table<AnnotationRow, [callId: string, id: string]>
  alarmEvents: EntityTable<AlarmEventRow, 'id'>
}

/** Version 1's tables, unchanged in version 2 (Dexie wants each version's whole schema). */
const V1_STORES = {
  calls: 'id, startedAt',
  // [callId+at] reads a call in time order; the unique [callId+key] makes a duplicate impossible, not just
  // unlikely, even if a caller bypasses the dedupe in `write`.
  observations: '++id, callId, [callId+at], &[callId+key]',
  ecg: '++id, callId, [callId+at]',
}

function createDb(indexedDbFactory: IDBFactory | undefined, keyRange: typeof IDBKeyRange | undefined) {
  const db = new Dexie(RECORD_DB_NAME, {
    ...(indexedDbFactory ? { indexedDB: indexedDbFactory } : {}),
    ...(keyRange ? { IDBKeyRange: keyRange } : {}),
  }) as RecordDb
  // A schema change adds a version below the last one (with `.upgrade()` if rows must change) and never edits an
  // earlier one: browsers holding older records are upgraded in place by Dexie, in order.
  db.version(1).stores(V1_STORES)
  // Version 2: annotations. An annotation's id is unique in its call (the id of the op that added it), so
  // [callId+id] is the key and a changed annotation is a put over its row; callId alone finds a call's rows.
  // Calls recorded before get annotationCount 0, so the list reads one field whatever the call's age.
  const V2_STORES = { ...V1_STORES, annotations: '[callId+id], callId' }
  db.version(2)
    .stores(V2_STORES)
    .upgrade((tx) =>
      tx
        .table<CallRecord>('calls')
        .toCollection()
        .modify((call) => {
          call.annotationCount ??= 0
        }),
    )
  // Version 3: the alarm log, read per call in time order. Calls recorded before get alarmEventCount 0 (they had
  // alarms, but no log of them was kept). Rows of older readings simply have no `details`.
  db.version(3)
    .stores({ ...V2_STORES, alarmEvents: '++id, callId, [callId+at]' })
    .upgrade((tx) =>
      tx
        .table<CallRecord>('calls')
        .toCollection()
        .modify((call) => {
          call.alarmEventCount ??= 0
        }),
    )
  return db
}

export interface RecordOptions {
  /** ms; see FLUSH_INTERVAL_MS. */
  flushIntervalMs?: number
  /** items; see FLUSH_MAX_ITEMS. */
  maxBatch?: number
  /** A write that failed in the background (quota exceeded, database deleted by the user). Default: console. */
  onError?: (error: unknown) => void
  /** IDBKeyRange to go with a non-global factory (fake-indexeddb in tests). */
  keyRange?: typeof IDBKeyRange
}

export interface VitalsRecord {
  /** Creates the call's entry at once (not queued) and returns its id. */
  startCall(meta: CallMeta): Promise<string>
  /** Names and participants learned after the start (the patient usually joins after the clinician). */
  updateCall(
    callId: string,
    patch: Pick<CallMeta, 'patientName' | 'clinicianName' | 'participants'>,
  ): Promise<void>
  /**
   * The patient's identifier (MRN), trimmed; null or an empty value removes it. Rejects one longer than
   * MAX_IDENTIFIER_LENGTH characters or with a system that is not an absolute URI.
   */
  setPatientIdentifier(callId: string, identifier: PatientIdentifier | null): Promise<void>
  /** Queues alarm log entries (src/vitals/alarms.ts), written with the next flush. */
  addAlarmEvents(callId: string, entries: readonly AlarmLogEntry[]): void
  /**
   * Queues measurements. The same kind, time and source twice (a resend after a reconnect, a repeated device
   * notification) is stored once; one with a time or value that is not a finite number is ignored.
   */
  addMeasurements(callId: string, measurements: readonly Measurement[]): void
  /** Queues an ECG chunk; `at` is the time of its first sample, ms. The samples are copied. */
  addEcg(callId: string, at: number, samples: Int16Array, source: Source, sampleRateHz?: number): void
  /**
   * The annotations shown now (the whole list, e.g. `materialize(state)`), at `now` (ms). The next flush writes
   * those that are new or changed since the last write, and marks `removedAt = now` on those no longer in the
   * list. Only the latest list counts: calling it at every change costs a pass over the list, not a write.
   * The annotations must not be mutated afterwards (the model never does): the record keeps references.
   */
  saveAnnotations(callId: string, annotations: readonly Annotation[], now: number): void
  /** Keeps the call's aftercare plan (replacing an older one). */
  setCarePlan(callId: string, plan: ReceivedPlan): Promise<void>
  /** Keeps a screening response with the call (a newer one to the same questionnaire replaces it). */
  addScreening(callId: string, screening: ReceivedScreening): Promise<void>
  /** Keeps the patient's consent to the record with the call. */
  setConsent(callId: string, consent: ReceivedConsent): Promise<void>
  /** Adds a shared file (what it was, who, when, its hash) to the call. */
  addSharedItem(callId: string, item: SharedRecord): Promise<void>
  /**
   * Keeps the shared file with SHA-256 `sha256` itself in the call's record (the clinician chose to), or forgets
   * it again (null); the entry for what it was stays either way.
   */
  keepSharedFile(callId: string, sha256: string, file: Blob | null): Promise<void>
  /** Writes what is queued (annotations included), then marks the call ended at `at` (ms). */
  endCall(callId: string, at: number): Promise<void>
  /** Writes what is queued now; resolves when it is on disk, rejects if that write failed. */
  flush(): Promise<void>
  /** Measurements and ECG chunks waiting in the queue (annotations are kept as the latest list, not queued). */
  readonly pending: number
  /** Every call, newest first, with its counts. */
  listCalls(): Promise<CallRecord[]>
  /** One call with everything recorded in it (after writing what is queued), or undefined. */
  loadCall(callId: string): Promise<LoadedCall | undefined>
  /** Removes the call and all its data, including anything of it still queued. */
  deleteCall(callId: string): Promise<void>
  /** Flushes, then closes the database. */
  close(): Promise<void>
}

const textEncoder = new TextEncoder()

/** See CallRecord.roomLabel. The prefix keeps this hash distinct from any other use of SHA-256 on the room id. */
export async function roomLabel(roomId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', textEncoder.encode(`xr-consult/record/v1|${roomId}`))
  return Array.from(new Uint8Array(digest).slice(0, 4), (b) => b.toString(16).padStart(2, '0')).join('')
}

function toRow(callId: string, m: Measurement): ObservationRow {
  const values =
    m.kind === 'blood-pressure'
      ? m.mean === undefined
        ? [m.systolic, m.diastolic]
        : [m.systolic, m.diastolic, m.mean]
      : [m.value]
  const details: MeasurementDetails = {}
  for (const field of DETAIL_FIELDS) if (m[field] !== undefined) Object.assign(details, { [field]: m[field] })
  return {
    callId,
    kind: m.kind,
    at: m.at,
    values,
    unit: VITALS[m.kind].ucum,
    source: {
      kind: m.source.kind,
      label: m.source.label,
      ...(m.source.device ? { device: { ...m.source.device } } : {}),
    },
    quality: m.quality,
    key: `${m.kind}|${m.at}|${m.source.kind}|${m.source.label}`,
    ...(Object.keys(details).length ? { details } : {}),
  }
}

function fromRow(row: ObservationRow): Measurement | undefined {
  const base = { at: row.at, source: row.source, quality: row.quality, ...row.details }
  if (row.kind === 'blood-pressure') {
    const [systolic, diastolic, mean] = row.values
    if (systolic === undefined || diastolic === undefined) return undefined
    return mean === undefined
      ? { ...base, kind: row.kind, systolic, diastolic }
      : { ...base, kind: row.kind, systolic, diastolic, mean }
  }
  const [value] = row.values
  return value === undefined ? undefined : { ...base, kind: row.kind, value }
}

/** Every key of [callId+at] that belongs to one call. */
const callRange = (callId: string): [IndexableType, IndexableType] => [
  [callId, Dexie.minKey],
  [callId, Dexie.maxKey],
]

/** What the record should hold for one annotation of a call. */
interface WantedAnnotation {
  annotation: Annotation
  seenAt: number
  removedAt?: number
}

/** One call's annotations: what the database holds and what it should, so a flush writes only the difference. */
interface AnnotationLedger {
  /** As last written, by id. */
  saved: Map<string, WantedAnnotation>
  /** Every annotation seen in the call, by id; removed ones keep their entry, with `removedAt`. */
  wanted: Map<string, WantedAnnotation>
  /** Ids in `wanted` shown in the latest list. */
  shown: Set<string>
  /** `wanted` changed since the last write took it. */
  changed: boolean
}

const sameVec = (a: readonly number[], b: readonly number[]) =>
  a === b || (a.length === b.length && a.every((value, i) => Object.is(value, b[i])))

/**
 * Whether two annotations would be stored the same. `materialize` builds new objects for every state but keeps
 * the add op's placement and shape and the stroke's point arrays, so the references usually settle it and a
 * stroke's 2,000 points cost 2,000 reference checks, not a serialization.
 */
function sameAnnotation(a: Annotation, b: Annotation): boolean {
  if (a === b) return true
  if (
    a.id !== b.id ||
    a.author !== b.author ||
    a.authorName !== b.authorName ||
    a.colour !== b.colour ||
    a.createdAt !== b.createdAt ||
    a.clock !== b.clock ||
    a.approximate !== b.approximate
  )
    return false
  const p = a.placement
  const q = b.placement
  if (
    p !== q &&
    (p.frame !== q.frame ||
      (p.frame === 'anchor' && q.frame === 'anchor' && p.anchorId !== q.anchorId) ||
      (p.frame === 'plane' && q.frame === 'plane' && p.planeId !== q.planeId) ||
      (p.frame === 'item' && q.frame === 'item' && (p.item !== q.item || p.page !== q.page)) ||
      !sameVec(p.position, q.position) ||
      !sameVec(p.orientation, q.orientation))
  )
    return false
  const s = a.shape
  const t = b.shape
  if (s === t) return true
  switch (s.type) {
    case 'stroke':
      return (
        t.type === 'stroke' &&
        s.width === t.width &&
        s.points.length === t.points.length &&
        s.points.every((point, i) => sameVec(point, t.points[i] ?? []))
      )
    case 'arrow':
      return t.type === 'arrow' && sameVec(s.from, t.from) && sameVec(s.to, t.to)
    case 'pin':
      return t.type === 'pin' && s.label === t.label && sameVec(s.position, t.position)
    default: {
      const unknownShape: never = s
      throw new Error(`Unknown shape ${JSON.stringify(unknownShape)}`)
    }
  }
}

const sameWanted = (a: WantedAnnotation, b: WantedAnnotation | undefined) =>
  b !== undefined &&
  a.seenAt === b.seenAt &&
  a.removedAt === b.removedAt &&
  sameAnnotation(a.annotation, b.annotation)

function toAnnotationRow(callId: string, { annotation, seenAt, removedAt }: WantedAnnotation): AnnotationRow {
  const row: AnnotationRow = { ...annotation, callId, seenAt }
  if (removedAt !== undefined) row.removedAt = removedAt
  return row
}

function fromAnnotationRow({ callId: _callId, ...annotation }: AnnotationRow): RecordedAnnotation {
  return annotation
}

/** Drawing order, as `materialize` gives it: later ones on top. */
const byClockThenId = (a: Annotation, b: Annotation) =>
  a.clock - b.clock || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * Opens (creating or upgrading) the record database. Pass an IDBFactory to use another IndexedDB than the
 * browser's (fake-indexeddb in Node tests).
 */
export function openRecord(indexedDbFactory?: IDBFactory, options: RecordOptions = {}): VitalsRecord {
  const db = createDb(indexedDbFactory, options.keyRange)
  const flushIntervalMs = options.flushIntervalMs ?? FLUSH_INTERVAL_MS
  const maxBatch = options.maxBatch ?? FLUSH_MAX_ITEMS
  const onError =
    options.onError ?? ((error: unknown) => console.error('Vitals record: a write failed', error))

  let queuedObservations: ObservationRow[] = []
  let queuedEcg: EcgRow[] = []
  let queuedAlarms: AlarmEventRow[] = []
  const ledgers = new Map<string, AnnotationLedger>()
  let timer: ReturnType<typeof setTimeout> | undefined
  // Every write and delete runs after the one before, so a delete never races a flush of the same call.
  let chain: Promise<void> = Promise.resolve()

  const pendingCount = () => queuedObservations.length + queuedEcg.length + queuedAlarms.length

  /**
   * The annotation rows that differ from what was last written, per call, taken now (when the write runs, after
   * the writes before it): the latest lists count, even those handed over after the flush was asked for.
   */
  function annotationChanges() {
    const changes = new Map<string, { ledger: AnnotationLedger; written: Map<string, WantedAnnotation> }>()
    for (const [callId, ledger] of ledgers) {
      if (!ledger.changed) continue
      ledger.changed = false
      const written = new Map<string, WantedAnnotation>()
      for (const [id, wanted] of ledger.wanted) {
        // A copy: `saveAnnotations` updates the entries in place while this write is under way.
        if (!sameWanted(wanted, ledger.saved.get(id))) written.set(id, { ...wanted })
      }
      if (written.size) changes.set(callId, { ledger, written })
    }
    return changes
  }

  async function write(observations: ObservationRow[], ecg: EcgRow[], alarms: AlarmEventRow[]) {
    const annotations = annotationChanges()
    if (!observations.length && !ecg.length && !alarms.length && !annotations.size) return
    const callIds = new Set([
      ...observations.map((r) => r.callId),
      ...ecg.map((r) => r.callId),
      ...alarms.map((r) => r.callId),
      ...annotations.keys(),
    ])
    const tables = [db.calls, db.observations, db.ecg, db.annotations, db.alarmEvents]
    const done = db.transaction('rw', tables, async () => {
      for (const callId of callIds) {
        const call = await db.calls.get(callId)
        // No call: never started, or deleted while its data waited. Deleting wins.
        if (!call) continue

        const byKey = new Map<string, ObservationRow>()
        for (const row of observations)
          if (row.callId === callId && !byKey.has(row.key)) byKey.set(row.key, row)
        const stored = await db.observations
          .where('[callId+key]')
          .anyOf([...byKey.keys()].map((key) => [callId, key]))
          .toArray()
        for (const row of stored) byKey.delete(row.key)
        const fresh = [...byKey.values()]

        // A resent ECG frame has the same first-sample time and source as the one already kept.
        const chunks = ecg.filter((row) => row.callId === callId)
        const storedChunks = await db.ecg
          .where('[callId+at]')
          .anyOf(chunks.map((row) => [callId, row.at]))
          .toArray()
        const seen = new Set(storedChunks.map((row) => `${row.at}|${row.source.kind}|${row.source.label}`))
        const freshChunks: EcgRow[] = []
        for (const row of chunks) {
          const key = `${row.at}|${row.source.kind}|${row.source.label}`
          if (seen.has(key)) continue
          seen.add(key)
          freshChunks.push(row)
        }

        await db.observations.bulkAdd(fresh)
        await db.ecg.bulkAdd(freshChunks)
        const alarmRows = alarms.filter((row) => row.callId === callId)
        await db.alarmEvents.bulkAdd(alarmRows)
        const changed = annotations.get(callId)
        if (changed)
          await db.annotations.bulkPut([...changed.written.values()].map((w) => toAnnotationRow(callId, w)))
        await db.calls.update(callId, {
          observationCount: call.observationCount + fresh.length,
          ecgSampleCount: call.ecgSampleCount + freshChunks.reduce((sum, row) => sum + row.samples.length, 0),
          alarmEventCount: (call.alarmEventCount ?? 0) + alarmRows.length,
          // Counted, not added up: a put may replace a row or make a new one, and counting an index is cheap.
          ...(changed
            ? { annotationCount: await db.annotations.where('callId').equals(callId).count() }
            : {}),
        })
      }
    })
    try {
      await done
    } finally {
      // Written or failed alike, as for readings: a failed write is reported, not retried (a full disk stays
      // full, and an annotation that cannot be stored would fail every later transaction, readings and all). An
      // annotation it lost is written again when it next changes.
      for (const { ledger, written } of annotations.values())
        for (const [id, wanted] of written) ledger.saved.set(id, wanted)
    }
  }

  /** Takes the queue as it is now and chains its write; the returned promise rejects if that write fails. */
  function flushNow(): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer)
      timer = undefined
    }
    const observations = queuedObservations
    const ecg = queuedEcg
    const alarms = queuedAlarms
    queuedObservations = []
    queuedEcg = []
    queuedAlarms = []
    const run = chain.then(() => write(observations, ecg, alarms))
    chain = run.catch(() => {})
    return run
  }

  function scheduleFlush() {
    if (timer === undefined)
      timer = setTimeout(() => {
        timer = undefined
        flushNow().catch(onError)
      }, flushIntervalMs)
  }

  function afterEnqueue() {
    if (pendingCount() >= maxBatch) flushNow().catch(onError)
    else scheduleFlush()
  }

  function serial<T>(task: () => Promise<T>): Promise<T> {
    const run = chain.then(task)
    chain = run.then(
      () => {},
      () => {},
    )
    return run
  }

  return {
    async startCall(meta) {
      const call: CallRecord = {
        id: crypto.randomUUID(),
        roomLabel: await roomLabel(meta.roomId),
        startedAt: meta.startedAt,
        participants: (meta.participants ?? []).map(({ name, role }) => ({ name, role })),
        observationCount: 0,
        ecgSampleCount: 0,
        annotationCount: 0,
        alarmEventCount: 0,
      }
      if (meta.patientName !== undefined) call.patientName = meta.patientName
      if (meta.clinicianName !== undefined) call.clinicianName = meta.clinicianName
      await serial(() => db.calls.add(call))
      return call.id
    },

    async updateCall(callId, patch) {
      const changes: Partial<CallRecord> = {}
      if (patch.patientName !== undefined) changes.patientName = patch.patientName
      if (patch.clinicianName !== undefined) changes.clinicianName = patch.clinicianName
      if (patch.participants !== undefined)
        changes.participants = patch.participants.map(({ name, role }) => ({ name, role }))
      await serial(() => db.calls.update(callId, changes))
    },

    async addSharedItem(callId, item) {
      const { name, mime, size, sha256, sharedBy, sharedAt } = item
      await serial(() =>
        db.calls
          .where('id')
          .equals(callId)
          .modify((call) => {
            call.sharedItems = [...(call.sharedItems ?? []), { name, mime, size, sha256, sharedBy, sharedAt }]
          }),
      )
    },

    async keepSharedFile(callId, sha256, file) {
      await serial(() =>
        db.calls
          .where('id')
          .equals(callId)
          .modify((call) => {
            call.sharedItems = (call.sharedItems ?? []).map((item) => {
              if (item.sha256 !== sha256) return item
              const { file: _old, ...rest } = item
              return file ? { ...rest, file } : rest
            })
          }),
      )
    },

    async setCarePlan(callId, plan) {
      // Not indexed, so no new schema version: a field on the call, like its shared items.
      const { id, at, clinicianName } = plan
      await serial(() =>
        db.calls.update(callId, { carePlan: { id, at, clinicianName, plan: structuredClone(plan.plan) } }),
      )
    },

    async addScreening(callId, screening) {
      // A field on the call like the care plan (not indexed, so no new schema version).
      const { id, at, patientName, questionnaire, response } = screening
      const kept: ReceivedScreening = {
        id,
        at,
        patientName,
        questionnaire,
        response: structuredClone(response),
      }
      await serial(() =>
        db.calls
          .where('id')
          .equals(callId)
          .modify((call) => {
            call.screenings = [
              ...(call.screenings ?? []).filter((s) => s.questionnaire !== questionnaire),
              kept,
            ]
          }),
      )
    },

    async setConsent(callId, consent) {
      const { id, at, patientName, decision, noticeVersion } = consent
      await serial(() =>
        db.calls.update(callId, { consent: { id, at, patientName, decision, noticeVersion } }),
      )
    },

    async setPatientIdentifier(callId, identifier) {
      const value = identifier?.value.trim() ?? ''
      const system = identifier?.system?.trim() || undefined
      if (value.length > MAX_IDENTIFIER_LENGTH)
        throw new Error(`The patient identifier is longer than ${MAX_IDENTIFIER_LENGTH} characters.`)
      if (system !== undefined && !/^[a-z][a-z0-9+.-]*:\S+$/i.test(system))
        throw new Error('The identifier system must be an absolute URI (e.g. urn:oid:… or https://…).')
      await serial(() =>
        db.calls
          .where('id')
          .equals(callId)
          .modify((call) => {
            if (value === '') delete call.patientIdentifier
            else call.patientIdentifier = system === undefined ? { value } : { value, system }
          }),
      )
    },

    addAlarmEvents(callId, entries) {
      let added = 0
      for (const entry of entries) {
        if (!Number.isFinite(entry.at)) continue
        queuedAlarms.push({ ...structuredClone(entry), callId })
        added++
      }
      if (added) afterEnqueue()
    },

    addMeasurements(callId, measurements) {
      let added = 0
      for (const m of measurements) {
        const row = toRow(callId, m)
        // A time or value that is not a finite number cannot be placed on a chart or exported (and IndexedDB
        // would silently leave a NaN time out of the [callId+at] index, so loadCall would never return it).
        if (!Number.isFinite(row.at) || !row.values.every(Number.isFinite)) continue
        queuedObservations.push(row)
        added++
      }
      if (added) afterEnqueue()
    },

    addEcg(callId, at, samples, source, sampleRateHz = ECG_SAMPLE_RATE_HZ) {
      if (!samples.length || !Number.isFinite(at) || !(sampleRateHz > 0)) return
      // slice(): a compact copy. Storing a view would keep (and structured-clone) its whole underlying buffer,
      // e.g. the entire network frame, and the caller may reuse that buffer.
      queuedEcg.push({
        callId,
        at,
        sampleRateHz,
        samples: samples.slice(),
        source: { kind: source.kind, label: source.label },
      })
      afterEnqueue()
    },

    saveAnnotations(callId, annotations, now) {
      // Like a measurement's time: a removal that cannot be placed in time is no record of anything.
      if (!Number.isFinite(now)) return
      let ledger = ledgers.get(callId)
      if (!ledger) {
        ledger = { saved: new Map(), wanted: new Map(), shown: new Set(), changed: false }
        ledgers.set(callId, ledger)
      }
      const shown = new Set<string>()
      for (const annotation of annotations) {
        shown.add(annotation.id)
        const wanted = ledger.wanted.get(annotation.id)
        if (!wanted) ledger.wanted.set(annotation.id, { annotation, seenAt: now })
        else {
          wanted.annotation = annotation
          // Shown again (only a broken or hostile author reuses an id): the row says it is shown.
          delete wanted.removedAt
        }
      }
      for (const id of ledger.shown) {
        const gone = ledger.wanted.get(id)
        if (!shown.has(id) && gone) gone.removedAt = now
      }
      ledger.shown = shown
      ledger.changed = true
      scheduleFlush()
    },

    async endCall(callId, at) {
      await flushNow()
      // Its annotations are on disk: nothing more will be compared with them.
      ledgers.delete(callId)
      await serial(() => db.calls.update(callId, { endedAt: at }))
    },

    flush: flushNow,

    get pending() {
      return pendingCount()
    },

    listCalls() {
      return serial(() => db.calls.orderBy('startedAt').reverse().toArray())
    },

    async loadCall(callId) {
      await flushNow()
      return serial(() =>
        db.transaction('r', [db.calls, db.observations, db.ecg, db.annotations, db.alarmEvents], async () => {
          const call = await db.calls.get(callId)
          if (!call) return undefined
          const alarmRows = await db.alarmEvents
            .where('[callId+at]')
            .between(...callRange(callId), true, true)
            .toArray()
          const rows = await db.observations
            .where('[callId+at]')
            .between(...callRange(callId), true, true)
            .toArray()
          const chunks = await db.ecg
            .where('[callId+at]')
            .between(...callRange(callId), true, true)
            .toArray()
          const annotations = await db.annotations.where('callId').equals(callId).toArray()
          return {
            call,
            observations: rows.map(fromRow).filter((m): m is Measurement => m !== undefined),
            ecg: chunks.map(({ at, sampleRateHz, samples, source }) => ({
              at,
              sampleRateHz,
              samples,
              source,
            })),
            annotations: annotations.map(fromAnnotationRow).sort(byClockThenId),
            alarmLog: alarmRows.map(({ id: _id, callId: _callId, ...entry }) => entry),
          }
        }),
      )
    },

    async deleteCall(callId) {
      queuedObservations = queuedObservations.filter((row) => row.callId !== callId)
      queuedEcg = queuedEcg.filter((row) => row.callId !== callId)
      queuedAlarms = queuedAlarms.filter((row) => row.callId !== callId)
      ledgers.delete(callId)
      await serial(() =>
        db.transaction(
          'rw',
          [db.calls, db.observations, db.ecg, db.annotations, db.alarmEvents],
          async () => {
            await db.observations.where('callId').equals(callId).delete()
            await db.alarmEvents.where('callId').equals(callId).delete()
            await db.ecg.where('callId').equals(callId).delete()
            await db.annotations.where('callId').equals(callId).delete()
            await db.calls.delete(callId)
          },
        ),
      )
    },

    async close() {
      try {
        await flushNow()
      } finally {
        await chain
        db.close()
      }
    },
  }
}
