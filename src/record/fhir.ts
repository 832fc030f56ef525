// A recorded call as a FHIR R4 Bundle: the patient, the clinician, one Observation per measurement following the
// FHIR vital-signs profiles (LOINC codes, UCUM units), the ECG as SampledData, and the remote-guidance annotations
// as one DocumentReference. Pure: the caller turns it into a file; nothing here (or anywhere in the app) sends it
// to a server.
//
// Bundle type `collection`, not `transaction`: a transaction is an instruction to a FHIR server (each entry
// needs a request method and URL, and the server applies all or nothing); this export is a file the clinician
// keeps, attaches or imports by hand, and `collection` is FHIR's "set of resources collected into a single
// package for ease of distribution" that asks nobody to do anything. Not `document` either: that needs a
// Composition and an attester, and this is a raw record of readings, not a signed clinical document.

import {
  DIASTOLIC,
  ECG_MICROVOLTS_PER_COUNT,
  type Measurement,
  type Source,
  SYSTOLIC,
  VITALS,
  type VitalKind,
} from '../vitals/types'
import { ANNOTATION_DOCUMENT_FORMAT, annotationDocumentJson, base64Utf8 } from './annotation-document'
import type { CallRecord, EcgChunk, RecordedAnnotation } from './record'

export const UCUM = 'http://unitsofmeasure.org'
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category'
/** ISO/IEEE 11073-10101 (MDC), the nomenclature device waveforms are named in; FHIR's EKG example uses it. */
export const MDC = 'urn:oid:2.16.840.1.113883.6.24'
export const VITAL_SIGNS_PROFILE = 'http://hl7.org/fhir/StructureDefinition/vitalsigns'
/** HL7 security label "test health data": the standard way to mark a resource as not real patient data. */
export const TEST_DATA_LABEL = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  code: 'HTEST',
  display: 'test health data',
} as const

/**
 * The R4 child profile of vitalsigns for each vital. Glucose has none: it is not a vital sign in FHIR (the
 * vital-signs value set does not hold it), so it goes out as a `laboratory` observation without the profile,
 * the way point-of-care glucose is exchanged elsewhere.
 */
export const VITAL_PROFILES: Record<VitalKind, string | null> = {
  'heart-rate': 'http://hl7.org/fhir/StructureDefinition/heartrate',
  spo2: 'http://hl7.org/fhir/StructureDefinition/oxygensat',
  'respiratory-rate': 'http://hl7.org/fhir/StructureDefinition/resprate',
  'blood-pressure': 'http://hl7.org/fhir/StructureDefinition/bp',
  temperature: 'http://hl7.org/fhir/StructureDefinition/bodytemp',
  glucose: null,
}

/** LOINC 8478-0, sent as a third blood-pressure component when the device gave a mean (the bp profile's slicing is open). */
export const MEAN_ARTERIAL = {
  system: 'http://loinc.org',
  code: '8478-0',
  display: 'Mean blood pressure',
} as const

/**
 * Samples in one ECG Observation at most: 60 s at 250 Hz, about 90 kB of text. A whole call in one resource
 * could be megabytes, which viewers and servers handle badly; a minute is still one readable strip.
 */
export const MAX_ECG_SAMPLES_PER_OBSERVATION = 15_000

/** DocumentReference.type of the annotations: plain text, as no LOINC document type means "XR annotations". */
export const ANNOTATIONS_TYPE_TEXT = 'Remote guidance annotations'

export const SIMULATED_NOTE = 'Simulated value — not a measurement of the patient.'
export const QUESTIONABLE_NOTE =
  'Questionable: the device flagged this reading (poor signal, motion or an early estimate).'

// The subset of FHIR R4 this export writes.
export interface FhirCoding {
  system: string
  code: string
  display?: string
}
export interface FhirCodeableConcept {
  coding?: FhirCoding[]
  text?: string
}
export interface FhirReference {
  reference?: string
  display?: string
}
export interface FhirQuantity {
  value: number
  unit: string
  system: typeof UCUM
  code: string
}
export interface FhirSampledData {
  origin: FhirQuantity
  /** ms between samples */
  period: number
  factor: number
  dimensions: number
  /** Space-separated sample values. */
  data: string
}
export interface FhirMeta {
  profile?: string[]
  security?: FhirCoding[]
  tag?: FhirCoding[]
}
export interface FhirPatient {
  resourceType: 'Patient'
  id: string
  name?: { text: string }[]
}
export interface FhirPractitioner {
  resourceType: 'Practitioner'
  id: string
  name: { text: string }[]
}
export interface FhirObservationComponent {
  code: FhirCodeableConcept
  valueQuantity: FhirQuantity
}
export interface FhirObservation {
  resourceType: 'Observation'
  id: string
  meta?: FhirMeta
  status: 'final'
  category: FhirCodeableConcept[]
  code: FhirCodeableConcept
  subject: FhirReference
  effectiveDateTime?: string
  effectivePeriod?: { start: string; end: string }
  performer?: FhirReference[]
  valueQuantity?: FhirQuantity
  valueSampledData?: FhirSampledData
  note?: { text: string }[]
  method?: FhirCodeableConcept
  device?: FhirReference
  component?: FhirObservationComponent[]
}
export interface FhirAttachment {
  contentType: string
  /** base64 */
  data: string
  /** bytes of the data before base64 */
  size?: number
  title?: string
}
export interface FhirDocumentReference {
  resourceType: 'DocumentReference'
  id: string
  status: 'current'
  type: FhirCodeableConcept
  subject: FhirReference
  /** When this reference was made: the export. FHIR `instant`. */
  date?: string
  author?: FhirReference[]
  description?: string
  content: { attachment: FhirAttachment }[]
}
export type FhirResource = FhirPatient | FhirPractitioner | FhirObservation | FhirDocumentReference
export interface FhirBundleEntry {
  fullUrl: string
  resource: FhirResource
}
export interface FhirBundle {
  resourceType: 'Bundle'
  id: string
  type: 'collection'
  timestamp?: string
  entry: FhirBundleEntry[]
}

export interface FhirExportOptions {
  /**
   * A reference to the patient in the receiving system (e.g. `Patient/123`). With it the Observations point
   * there and the Bundle holds no Patient resource of its own.
   */
  patientRef?: string
  /**
   * When the export was made, ms since the Unix epoch: the Bundle's timestamp, and the date of the annotations'
   * DocumentReference (now, when absent: that date is when the reference was made).
   */
  exportedAt?: number
  /** Makes the UUIDs of the Bundle and its entries; tests pass a counter. */
  newId?: () => string
}

/** The call fields the export reads. */
export type FhirCall = Pick<CallRecord, 'patientName' | 'clinicianName'>

/** FHIR dateTime with a time zone (UTC, `Z`), which FHIR requires whenever a time is given. */
export const fhirDateTime = (ms: number) => new Date(ms).toISOString()

const category = (code: string, display: string): FhirCodeableConcept[] => [
  { coding: [{ system: OBSERVATION_CATEGORY, code, display }], text: display },
]

const quantity = (value: number, kind: VitalKind): FhirQuantity => ({
  value,
  unit: VITALS[kind].unitLabel,
  system: UCUM,
  code: VITALS[kind].ucum,
})

/** Where a value came from, in the fields FHIR has for it, so a simulated one can never pass for the patient's. */
function provenance(
  source: Source,
): Pick<FhirObservation, 'method' | 'device' | 'note'> & { simulated: boolean } {
  switch (source.kind) {
    case 'simulated':
      return {
        simulated: true,
        method: { text: `Simulated by software (${source.label}), not measured` },
        note: [{ text: SIMULATED_NOTE }],
      }
    case 'device':
      // A display-only reference: the device is known by its name, and a Device resource would add nothing.
      return { simulated: false, device: { display: source.label }, method: { text: 'Measured by a device' } }
    case 'manual':
      return { simulated: false, method: { text: source.label } }
    default: {
      const unknownKind: never = source.kind
      throw new Error(`Unknown source kind ${String(unknownKind)}`)
    }
  }
}

function observation(
  m: Measurement,
  id: string,
  subject: FhirReference,
  performer: FhirReference[] | undefined,
): FhirObservation {
  const definition = VITALS[m.kind]
  const profile = VITAL_PROFILES[m.kind]
  const { simulated, ...origin } = provenance(m.source)
  const notes = [
    ...(origin.note ?? []),
    ...(m.quality === 'questionable' ? [{ text: QUESTIONABLE_NOTE }] : []),
  ]

  const meta: FhirMeta = {}
  if (profile) meta.profile = [VITAL_SIGNS_PROFILE, profile]
  if (simulated) meta.security = [{ ...TEST_DATA_LABEL }]

  const resource: FhirObservation = {
    resourceType: 'Observation',
    id,
    ...(meta.profile || meta.security ? { meta } : {}),
    status: 'final',
    category: profile ? category('vital-signs', 'Vital Signs') : category('laboratory', 'Laboratory'),
    code: { coding: [{ ...definition.loinc }], text: definition.label },
    subject,
    effectiveDateTime: fhirDateTime(m.at),
    ...(performer ? { performer } : {}),
  }
  if (m.kind === 'blood-pressure') {
    // The bp profile: the panel code, no value of its own, systolic and diastolic as components.
    resource.component = [
      {
        code: { coding: [{ ...SYSTOLIC }], text: SYSTOLIC.display },
        valueQuantity: quantity(m.systolic, m.kind),
      },
      {
        code: { coding: [{ ...DIASTOLIC }], text: DIASTOLIC.display },
        valueQuantity: quantity(m.diastolic, m.kind),
      },
    ]
    if (m.mean !== undefined)
      resource.component.push({
        code: { coding: [{ ...MEAN_ARTERIAL }], text: MEAN_ARTERIAL.display },
        valueQuantity: quantity(m.mean, m.kind),
      })
  } else {
    resource.valueQuantity = quantity(m.value, m.kind)
  }
  if (origin.method) resource.method = origin.method
  if (origin.device) resource.device = origin.device
  if (notes.length) resource.note = notes
  return resource
}

interface EcgRun {
  at: number
  sampleRateHz: number
  source: Source
  parts: Int16Array[]
  count: number
}

/**
 * Joins chunks that continue one another (same rate and source, the next starting where the last ended, within
 * half a sample: closer than that is the same sampling grid) into runs of at most MAX_ECG_SAMPLES_PER_OBSERVATION.
 * A gap, an overlap or a change of source starts a new run, so no sample is ever shown at the wrong time.
 */
export function ecgRuns(chunks: readonly EcgChunk[]): EcgRun[] {
  const runs: EcgRun[] = []
  let run: EcgRun | undefined
  for (const chunk of [...chunks].sort((a, b) => a.at - b.at)) {
    if (!chunk.samples.length) continue
    const periodMs = 1000 / chunk.sampleRateHz
    const continues =
      run !== undefined &&
      run.sampleRateHz === chunk.sampleRateHz &&
      run.source.kind === chunk.source.kind &&
      run.source.label === chunk.source.label &&
      Math.abs(chunk.at - (run.at + run.count * periodMs)) <= periodMs / 2 &&
      run.count + chunk.samples.length <= MAX_ECG_SAMPLES_PER_OBSERVATION
    if (run && continues) {
      run.parts.push(chunk.samples)
      run.count += chunk.samples.length
    } else {
      run = {
        at: chunk.at,
        sampleRateHz: chunk.sampleRateHz,
        source: chunk.source,
        parts: [chunk.samples],
        count: chunk.samples.length,
      }
      runs.push(run)
    }
  }
  return runs
}

function ecgObservation(
  run: EcgRun,
  id: string,
  subject: FhirReference,
  performer: FhirReference[] | undefined,
): FhirObservation {
  const periodMs = 1000 / run.sampleRateHz
  const { simulated, ...origin } = provenance(run.source)
  const data = run.parts.map((part) => part.join(' ')).join(' ')
  const resource: FhirObservation = {
    resourceType: 'Observation',
    id,
    ...(simulated ? { meta: { security: [{ ...TEST_DATA_LABEL }] } } : {}),
    status: 'final',
    // Not vital-signs: that profile allows only a Quantity value. FHIR's own R4 EKG example files a waveform
    // under `procedure` with the MDC code below; this follows it.
    category: category('procedure', 'Procedure'),
    code: {
      coding: [{ system: MDC, code: '131328', display: 'MDC_ECG_ELEC_POTL' }],
      // One lead whose electrode placement is the wearable's (a chest strap is no standard lead), hence the
      // unspecified-lead code rather than 131329 (lead I) and its siblings.
      text: 'ECG, one lead (placement as worn)',
    },
    subject,
    effectivePeriod: {
      start: fhirDateTime(run.at),
      end: fhirDateTime(run.at + (run.count - 1) * periodMs),
    },
    ...(performer ? { performer } : {}),
    valueSampledData: {
      // value = origin + factor × sample: zero µV plus the count times µV per count.
      origin: { value: 0, unit: 'µV', system: UCUM, code: 'uV' },
      period: periodMs,
      factor: ECG_MICROVOLTS_PER_COUNT,
      dimensions: 1,
      data,
    },
  }
  if (origin.method) resource.method = origin.method
  if (origin.device) resource.device = origin.device
  if (origin.note) resource.note = origin.note
  return resource
}

/**
 * The annotations as one DocumentReference whose attachment is the JSON document of annotation-document.ts, the
 * same bytes as "Export annotations (JSON)". A document, not Observations: an annotation is not a finding about
 * the patient but what the participants drew in the worker's space, and a receiving system can keep and show a
 * document whatever its format. Its authors are named as the call showed them (display only: no identities).
 */
function annotationsReference(
  annotations: readonly RecordedAnnotation[],
  id: string,
  subject: FhirReference,
  date: number,
): FhirDocumentReference {
  const json = annotationDocumentJson(annotations)
  const removed = annotations.filter((a) => a.removedAt !== undefined).length
  const authors = [...new Set(annotations.map((a) => a.authorName))]
  return {
    resourceType: 'DocumentReference',
    id,
    status: 'current',
    type: { text: ANNOTATIONS_TYPE_TEXT },
    subject,
    date: fhirDateTime(date),
    ...(authors.length ? { author: authors.map((display) => ({ display })) } : {}),
    description:
      `${annotations.length} ${annotations.length === 1 ? 'annotation' : 'annotations'} placed during the call` +
      `${removed ? ` (${removed} later removed)` : ''}, with their poses in the on-site worker's space`,
    content: [
      {
        attachment: {
          contentType: 'application/json',
          data: base64Utf8(json),
          size: new TextEncoder().encode(json).length,
          title: `${ANNOTATION_DOCUMENT_FORMAT}.json`,
        },
      },
    ],
  }
}

/** The whole call as a FHIR R4 `collection` Bundle; see the top of this file. */
export function toFhirBundle(
  call: FhirCall,
  observations: readonly Measurement[],
  ecgChunks: readonly EcgChunk[],
  annotations: readonly RecordedAnnotation[] = [],
  options: FhirExportOptions = {},
): FhirBundle {
  const newId = options.newId ?? (() => crypto.randomUUID())
  const entry: FhirBundleEntry[] = []
  const add = (resource: FhirResource) => entry.push({ fullUrl: `urn:uuid:${resource.id}`, resource })

  let subject: FhirReference
  if (options.patientRef) {
    subject = { reference: options.patientRef }
  } else {
    // The patient as the call knew them: a name at most. No identifiers, birth date or anything else that the
    // call never had; the receiving system matches the patient.
    const patient: FhirPatient = { resourceType: 'Patient', id: newId() }
    if (call.patientName) patient.name = [{ text: call.patientName }]
    add(patient)
    subject = { reference: `urn:uuid:${patient.id}` }
  }
  if (call.patientName) subject.display = call.patientName

  let performer: FhirReference[] | undefined
  if (call.clinicianName) {
    const practitioner: FhirPractitioner = {
      resourceType: 'Practitioner',
      id: newId(),
      name: [{ text: call.clinicianName }],
    }
    add(practitioner)
    performer = [{ reference: `urn:uuid:${practitioner.id}`, display: call.clinicianName }]
  }

  for (const m of [...observations].sort((a, b) => a.at - b.at))
    add(observation(m, newId(), subject, performer))
  for (const run of ecgRuns(ecgChunks)) add(ecgObservation(run, newId(), subject, performer))
  // Only with annotations: an empty document would say nothing, and calls without them stay as they were.
  if (annotations.length)
    add(annotationsReference(annotations, newId(), subject, options.exportedAt ?? Date.now()))

  return {
    resourceType: 'Bundle',
    id: newId(),
    type: 'collection',
    ...(options.exportedAt !== undefined ? { timestamp: fhirDateTime(options.exportedAt) } : {}),
    entry,
  }
}
