// A recorded call as a FHIR R4 Bundle that an EHR can import: the patient (with the identifier the clinician
// entered, or marked as not identified), the clinician, each measuring device, one Observation per measurement
// following the FHIR vital-signs profiles (LOINC codes, UCUM units, in the unit the device measured in where the
// profile allows it), the ECG as SampledData, the alarm log as DetectedIssues, and the remote-guidance
// annotations as one DocumentReference. Pure apart from the SHA-1 of the annotations (WebCrypto, hence async);
// the caller turns it into a file, and nothing here (or anywhere in the app) sends it to a server. Typed with
// @medplum/fhirtypes (FHIR R4), and checked in the tests by two validators (see fhir.test.ts).
//
// Bundle type `collection`, not `transaction`: a transaction is an instruction to a FHIR server (each entry
// needs a request method and URL, and the server applies all or nothing); this export is a file the clinician
// keeps, attaches or imports by hand, and `collection` is FHIR's "set of resources collected into a single
// package for ease of distribution" that asks nobody to do anything. Not `document` either: that needs a
// Composition and an attester, and this is a raw record of readings, not a signed clinical document.
//
// Who did what, only where it is true: readings carry no `performer` (a device at the patient's side took them,
// and a value typed in may have been typed by the patient or a carer; the remote clinician took none), and name
// the measuring `device` instead. The clinician appears where they acted: acknowledging and silencing alarms.

import type {
  Attachment,
  Bundle,
  BundleEntry,
  CodeableConcept,
  Coding,
  DetectedIssue,
  DetectedIssueEvidence,
  DetectedIssueMitigation,
  Device,
  DocumentReference,
  Extension,
  Identifier,
  Meta,
  Observation,
  ObservationComponent,
  OperationOutcome,
  Patient,
  Practitioner,
  Quantity,
  Reference,
  Resource,
} from '@medplum/fhirtypes'
import {
  type AlarmLogEntry,
  type AlarmPriority,
  type AlarmSettings,
  evaluate,
  PRIORITY_RANK,
} from '../vitals/alarms'
import {
  DIASTOLIC,
  ECG_MICROVOLTS_PER_COUNT,
  type GlucoseSpecimen,
  type Measurement,
  type SentUnit,
  type Source,
  SYSTOLIC,
  type TemperatureSite,
  VITALS,
  type VitalKind,
} from '../vitals/types'
import { ANNOTATION_DOCUMENT_FORMAT, base64Utf8, toAnnotationDocument } from './annotation-document'
import { carePlanResource } from './careplan'
import type { CallRecord, EcgChunk, RecordedAnnotation } from './record'
import { consentResource, questionnaireResource, questionnaireResponseResource } from './screening'
import { ExportSkips, exportable, isExportableTime, measurementProblem, type SkipReason } from './skipped'

export const UCUM = 'http://unitsofmeasure.org'
export const LOINC = 'http://loinc.org'
export const SNOMED = 'http://snomed.info/sct'
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category'
export const OBSERVATION_INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation'
/**
 * The measurement-status codes of the HL7 Point-of-Care Device IG, which the Personal Health Device IG uses for an
 * IEEE 11073 / Bluetooth reading the device flagged: `questionable` goes in Observation.interpretation.
 */
export const MEASUREMENT_STATUS = 'http://hl7.org/fhir/uv/pocd/CodeSystem/measurement-status'
export const DATA_ABSENT_REASON_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason'
/** FHIR core extension: the same quantity in another unit. Carries the device's own value of a conversion. */
export const PQ_TRANSLATION_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/iso21090-PQ-translation'
export const IDENTIFIER_TYPE = 'http://terminology.hl7.org/CodeSystem/v2-0203'
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

/** LOINC 59408-5, SpO₂ by pulse oximetry: sent beside 2708-6, which the R4 oxygensat profile requires. */
export const PULSE_OXIMETRY = {
  system: LOINC,
  code: '59408-5',
  display: 'Oxygen saturation in Arterial blood by Pulse oximetry',
} as const

/** LOINC 8478-0, sent as a third blood-pressure component when the device gave a mean (the bp profile's slicing is open). */
export const MEAN_ARTERIAL = {
  system: LOINC,
  code: '8478-0',
  display: 'Mean blood pressure',
} as const

/**
 * Glucose LOINC codes by the specimen the meter reports (GATT Glucose "Type" nibble) and by the unit it measures
 * in (mass or substance concentration are different LOINC terms). A capillary meter reading is "by Glucometer";
 * a plasma-referenced one (capillary or not) is "in Serum or Plasma"; whole blood from a vein or artery, or of
 * unknown origin, is "in Blood". Interstitial fluid (a sensor under the skin) has a mass term only: a reading in
 * mmol/L goes out converted to mg/dL, with the meter's own value kept beside it.
 */
const GLUCOSE_CODES: Record<
  'capillary' | 'plasma' | 'blood' | 'interstitial',
  { mass: Coding; molar?: Coding }
> = {
  capillary: {
    mass: {
      system: LOINC,
      code: '41653-7',
      display: 'Glucose [Mass/volume] in Capillary blood by Glucometer',
    },
    molar: {
      system: LOINC,
      code: '14743-9',
      display: 'Glucose [Moles/volume] in Capillary blood by Glucometer',
    },
  },
  plasma: {
    mass: { system: LOINC, code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' },
    molar: { system: LOINC, code: '14749-6', display: 'Glucose [Moles/volume] in Serum or Plasma' },
  },
  blood: {
    mass: { system: LOINC, code: '2339-0', display: 'Glucose [Mass/volume] in Blood' },
    molar: { system: LOINC, code: '15074-8', display: 'Glucose [Moles/volume] in Blood' },
  },
  interstitial: {
    mass: { system: LOINC, code: '99504-3', display: 'Glucose [Mass/volume] in Interstitial fluid' },
  },
}

function glucoseGroup(specimen: GlucoseSpecimen | undefined): keyof typeof GLUCOSE_CODES {
  switch (specimen) {
    case 'capillary-whole-blood':
      return 'capillary'
    case 'capillary-plasma':
    case 'venous-plasma':
    case 'arterial-plasma':
    case 'undetermined-plasma':
      return 'plasma'
    case 'interstitial-fluid':
      return 'interstitial'
    default:
      return 'blood'
  }
}

/**
 * SNOMED CT body structures for the Temperature Type codes (GATT 0x2A1D). "Body (general)" names no site, so it
 * gets no bodySite rather than a guessed one; "Ear (usually earlobe)" follows the specification's wording.
 */
export const TEMPERATURE_BODY_SITES: Record<TemperatureSite, Coding | null> = {
  armpit: { system: SNOMED, code: '91470000', display: 'Axillary region structure' },
  body: null,
  ear: { system: SNOMED, code: '48800003', display: 'Ear lobule structure' },
  finger: { system: SNOMED, code: '7569003', display: 'Finger structure' },
  'gastro-intestinal-tract': {
    system: SNOMED,
    code: '122865005',
    display: 'Gastrointestinal tract structure',
  },
  mouth: { system: SNOMED, code: '74262004', display: 'Oral cavity structure' },
  rectum: { system: SNOMED, code: '34402009', display: 'Rectum structure' },
  toe: { system: SNOMED, code: '29707007', display: 'Toe structure' },
  tympanum: { system: SNOMED, code: '42859004', display: 'Tympanic membrane structure' },
}

/** UCUM codes and printed units of what devices may send (types.ts SENT_UNITS). */
const SENT_QUANTITY: Record<SentUnit, { unit: string; code: string }> = {
  kPa: { unit: 'kPa', code: 'kPa' },
  '[degF]': { unit: '°F', code: '[degF]' },
  'mmol/L': { unit: 'mmol/L', code: 'mmol/L' },
}

/**
 * Samples in one ECG Observation at most: 60 s at 250 Hz, about 90 kB of text. A whole call in one resource
 * could be megabytes, which viewers and servers handle badly; a minute is still one readable strip.
 */
export const MAX_ECG_SAMPLES_PER_OBSERVATION = 15_000

/**
 * DocumentReference.type of the annotations: LOINC 11488-4 "Consult note", the document type of what a
 * consultation produces; the text says what kind of note it is.
 */
export const ANNOTATIONS_TYPE: CodeableConcept = {
  coding: [{ system: LOINC, code: '11488-4', display: 'Consult note' }],
  text: 'Remote guidance annotations',
}
export const ANNOTATIONS_TYPE_TEXT = 'Remote guidance annotations'

export const SIMULATED_NOTE = 'Simulated value — not a measurement of the patient.'
export const QUESTIONABLE_NOTE =
  'Questionable: the device flagged this reading (poor signal, motion or an early estimate).'
/** Patient.identifier's place when no identifier was entered: said explicitly, not left to be guessed. */
export const UNIDENTIFIED_TEXT = 'Not identified: no patient identifier was entered for this call.'

export type FhirBundle = Bundle
export type FhirObservation = Observation
export type FhirDocumentReference = DocumentReference
export type FhirDetectedIssue = DetectedIssue

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
  /** The call's alarm log (src/vitals/alarms.ts), oldest first: DetectedIssues, and the readings' interpretation. */
  alarmLog?: readonly AlarmLogEntry[]
  /**
   * Counts what had to be left out (a time no date holds, a value that is not a number), for the person
   * exporting; the Bundle names it too, in an OperationOutcome.
   */
  skipped?: ExportSkips
}

/** The call fields the export reads. */
export type FhirCall = Pick<
  CallRecord,
  | 'patientName'
  | 'clinicianName'
  | 'patientIdentifier'
  | 'sharedItems'
  | 'carePlan'
  | 'screenings'
  | 'consent'
>

/**
 * A file shared in the call as a DocumentReference: its name, type, size and when it was shared in the attachment,
 * who shared it as the author (display only), and its SHA-256 as the master identifier, written as an RFC 6920
 * `ni:` URI. When the clinician kept the file itself, the attachment carries it (`data`, base64) with its SHA-1
 * as FHIR's Attachment.hash defines it; a kept file whose SHA-256 is not the one shared is left out (only what it
 * was is exported, as for a file not kept).
 */
async function sharedItemReference(
  item: NonNullable<CallRecord['sharedItems']>[number],
  id: string,
  subject: Reference<Patient>,
): Promise<DocumentReference> {
  const attachment: Attachment = {
    contentType: item.mime,
    title: item.name,
    size: item.size,
    creation: fhirDateTime(item.sharedAt),
  }
  if (item.file) {
    const bytes = new Uint8Array(await item.file.arrayBuffer())
    const sha256 = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
    const hex = Array.from(sha256, (b) => b.toString(16).padStart(2, '0')).join('')
    if (hex === item.sha256) {
      attachment.data = base64Bytes(bytes)
      attachment.hash = await sha1Base64(bytes)
    }
  }
  const digest = item.sha256.match(/../g)?.map((pair) => Number.parseInt(pair, 16)) ?? []
  const ni = base64Bytes(new Uint8Array(digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  return {
    resourceType: 'DocumentReference',
    id,
    masterIdentifier: { system: 'urn:ietf:rfc:3986', value: `ni:///sha-256;${ni}` },
    status: 'current',
    subject,
    date: fhirDateTime(item.sharedAt),
    author: [{ display: item.sharedBy }],
    description: `Shared during the consultation by ${item.sharedBy}`,
    content: [{ attachment }],
  }
}

/** FHIR dateTime with a time zone (UTC, `Z`), which FHIR requires whenever a time is given. */
export const fhirDateTime = (ms: number) => new Date(ms).toISOString()

const category = (code: string, display: string): CodeableConcept[] => [
  { coding: [{ system: OBSERVATION_CATEGORY, code, display }], text: display },
]

const quantity = (value: number, kind: VitalKind): Quantity => ({
  value,
  unit: VITALS[kind].unitLabel,
  system: UCUM,
  code: VITALS[kind].ucum,
})

/** The app-unit quantity of a converted value, carrying the device's own value and unit as a translation. */
function withTranslation(
  base: Quantity,
  sentValue: number | undefined,
  unit: SentUnit | undefined,
): Quantity {
  if (sentValue === undefined || unit === undefined) return base
  const translation: Extension = {
    url: PQ_TRANSLATION_EXTENSION,
    valueQuantity: { value: sentValue, system: UCUM, ...SENT_QUANTITY[unit] },
  }
  return { extension: [translation], ...base }
}

const identity = (source: Source) =>
  JSON.stringify([source.label, source.device?.manufacturer, source.device?.model, source.device?.serial])

/** A Device resource for a Bluetooth device, from its name and its Device Information strings. */
function deviceResource(source: Source, id: string, patient: Reference<Patient>): Device {
  const info = source.device ?? {}
  const versions = (['firmware', 'hardware', 'software'] as const).flatMap((field) => {
    const value = info[field]
    return value === undefined ? [] : [{ type: { text: `${field} revision` }, value }]
  })
  return {
    resourceType: 'Device',
    id,
    deviceName: [
      { name: source.label, type: 'user-friendly-name' },
      ...(info.model ? [{ name: info.model, type: 'model-name' as const }] : []),
    ],
    ...(info.manufacturer ? { manufacturer: info.manufacturer } : {}),
    ...(info.model ? { modelNumber: info.model } : {}),
    ...(info.serial ? { serialNumber: info.serial } : {}),
    ...(versions.length ? { version: versions } : {}),
    patient,
  }
}

/** The software that raised the alarms: the author of the DetectedIssues. */
function alarmBoardDevice(id: string): Device {
  return {
    resourceType: 'Device',
    id,
    deviceName: [
      { name: 'XR Consult alarm display (not a certified alarm system)', type: 'user-friendly-name' },
    ],
    type: { text: 'Software: teleconsultation vital-signs display' },
  }
}

interface ObservationContext {
  subject: Reference<Patient>
  devices: Map<string, Reference<Device>>
  /** The alarm settings in force over time, oldest first (from the log). */
  settings: readonly { at: number; settings: AlarmSettings }[]
}

/** Where a value came from, in the fields FHIR has for it, so a simulated one can never pass for the patient's. */
function provenance(
  source: Source,
  context: ObservationContext,
): Pick<Observation, 'method' | 'device' | 'note'> & { simulated: boolean } {
  switch (source.kind) {
    case 'simulated':
      return {
        simulated: true,
        method: { text: `Simulated by software (${source.label}), not measured` },
        note: [{ text: SIMULATED_NOTE }],
      }
    case 'device': {
      const device = context.devices.get(identity(source))
      return {
        simulated: false,
        ...(device ? { device } : {}),
        method: { text: 'Measured by a device at the patient’s side' },
      }
    }
    case 'manual':
      return { simulated: false, method: { text: `${source.label} at the patient’s side` } }
    default: {
      const unknownKind: never = source.kind
      throw new Error(`Unknown source kind ${String(unknownKind)}`)
    }
  }
}

/** The alarm settings in force when the reading was taken (the first ones, for a reading before any). */
function settingsAt(context: ObservationContext, at: number): AlarmSettings | undefined {
  let found = context.settings[0]?.settings
  for (const entry of context.settings) if (entry.at <= at) found = entry.settings
  return found
}

const interpretationCoding = (code: string, display: string): Coding => ({
  system: OBSERVATION_INTERPRETATION,
  code,
  display,
})

/**
 * Coded interpretations: outside the alarm limits in force (H or L; HH or LL in the high-priority band, which is
 * what "critical" means to an EHR), and `questionable` when the device flagged the reading.
 */
function interpretation(m: Measurement, context: ObservationContext): CodeableConcept[] {
  const result: CodeableConcept[] = []
  const settings = settingsAt(context, m.at)
  const alarm = settings ? evaluate(m, settings.limits, settings.priorities) : null
  if (alarm) {
    const critical = PRIORITY_RANK[alarm.priority] === PRIORITY_RANK.high
    const coding =
      alarm.condition === 'high'
        ? critical
          ? interpretationCoding('HH', 'Critical high')
          : interpretationCoding('H', 'High')
        : critical
          ? interpretationCoding('LL', 'Critical low')
          : interpretationCoding('L', 'Low')
    result.push({ coding: [coding], text: `${alarm.message}: ${alarm.priority}-priority alarm` })
  }
  if (m.quality === 'questionable') {
    const because = m.questionableBecause?.length ? `: ${m.questionableBecause.join('; ')}` : ''
    result.push({
      coding: [{ system: MEASUREMENT_STATUS, code: 'questionable', display: 'Questionable' }],
      text: `Flagged by the device${because}`,
    })
  }
  return result
}

function glucoseCodeAndValue(m: Measurement & { kind: Exclude<VitalKind, 'blood-pressure'> }): {
  code: Coding
  value: Quantity
} {
  const codes = GLUCOSE_CODES[glucoseGroup(m.specimen)]
  const sentMolar = m.sent?.unit === 'mmol/L' ? m.sent.values[0] : undefined
  if (sentMolar !== undefined && codes.molar)
    return {
      code: codes.molar,
      value: { value: sentMolar, unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
    }
  return {
    code: codes.mass,
    value: withTranslation(
      quantity(m.value, 'glucose'),
      sentMolar,
      sentMolar === undefined ? undefined : 'mmol/L',
    ),
  }
}

function observation(m: Measurement, id: string, context: ObservationContext): Observation {
  const definition = VITALS[m.kind]
  const profile = VITAL_PROFILES[m.kind]
  const { simulated, ...origin } = provenance(m.source, context)
  const notes = [
    ...(origin.note ?? []),
    ...(m.quality === 'questionable' ? [{ text: QUESTIONABLE_NOTE }] : []),
  ]

  const meta: Meta = {}
  if (profile) meta.profile = [VITAL_SIGNS_PROFILE, profile]
  if (simulated) meta.security = [{ ...TEST_DATA_LABEL }]

  const coding: Coding[] =
    m.kind === 'glucose'
      ? [glucoseCodeAndValue(m).code]
      : m.kind === 'spo2'
        ? [{ ...definition.loinc }, { ...PULSE_OXIMETRY }]
        : [{ ...definition.loinc }]
  const resource: Observation = {
    resourceType: 'Observation',
    id,
    ...(meta.profile || meta.security ? { meta } : {}),
    status: 'final',
    category: profile ? category('vital-signs', 'Vital Signs') : category('laboratory', 'Laboratory'),
    code: { coding, text: definition.label },
    subject: context.subject,
    effectiveDateTime: fhirDateTime(m.at),
  }
  const interpretations = interpretation(m, context)
  if (m.kind === 'blood-pressure') {
    // The bp profile: the panel code, no value of its own, systolic and diastolic as components in mm[Hg]. A
    // cuff that measured in kPa: the whole-mmHg conversion, with the kPa value the cuff sent kept beside it.
    const kPa = m.sent?.unit === 'kPa' ? m.sent.values : undefined
    const component = (code: Coding, value: number, sent: number | undefined): ObservationComponent => ({
      code: { coding: [{ ...code }], text: code.display ?? '' },
      valueQuantity: withTranslation(quantity(value, m.kind), sent, sent === undefined ? undefined : 'kPa'),
    })
    resource.component = [
      component(SYSTOLIC, m.systolic, kPa?.[0]),
      component(DIASTOLIC, m.diastolic, kPa?.[1]),
      ...(m.mean === undefined ? [] : [component(MEAN_ARTERIAL, m.mean, kPa?.[2])]),
    ]
  } else if (m.kind === 'glucose') {
    resource.valueQuantity = glucoseCodeAndValue(m).value
  } else if (m.kind === 'temperature' && m.sent?.unit === '[degF]' && m.sent.values[0] !== undefined) {
    // The bodytemp profile allows °F: the thermometer's own value goes out as it was measured.
    resource.valueQuantity = { value: m.sent.values[0], system: UCUM, ...SENT_QUANTITY['[degF]'] }
  } else {
    resource.valueQuantity = quantity(m.value, m.kind)
  }
  if (interpretations.length) resource.interpretation = interpretations
  if (m.kind === 'temperature' && m.site) {
    const site = TEMPERATURE_BODY_SITES[m.site]
    if (site) resource.bodySite = { coding: [{ ...site }], text: site.display ?? m.site }
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

function ecgObservation(run: EcgRun, id: string, context: ObservationContext): Observation {
  const periodMs = 1000 / run.sampleRateHz
  const { simulated, ...origin } = provenance(run.source, context)
  const data = run.parts.map((part) => part.join(' ')).join(' ')
  const resource: Observation = {
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
    subject: context.subject,
    effectivePeriod: {
      start: fhirDateTime(run.at),
      end: fhirDateTime(run.at + (run.count - 1) * periodMs),
    },
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

const textEncoder = new TextEncoder()

/** base64 of bytes (btoa takes one char per byte). */
function base64Bytes(bytes: Uint8Array): string {
  // A kept file can be tens of MB: whole 48 KiB pieces (a multiple of 3, so the pieces' base64 joins cleanly)
  // rather than one character at a time.
  const PIECE = 3 * 16 * 1024
  const parts: string[] = []
  for (let at = 0; at < bytes.length; at += PIECE) {
    parts.push(btoa(String.fromCharCode(...bytes.subarray(at, at + PIECE))))
  }
  return parts.join('')
}

/** Attachment.hash as FHIR defines it: the SHA-1 of the data (the bytes before base64), in base64. */
export async function sha1Base64(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', bytes as Uint8Array<ArrayBuffer>)
  return base64Bytes(new Uint8Array(digest))
}

/**
 * The annotations as one DocumentReference whose attachment is the JSON document of annotation-document.ts, the
 * same bytes as "Export annotations (JSON)". A document, not Observations: an annotation is not a finding about
 * the patient but what the participants drew in the worker's space, and a receiving system can keep and show a
 * document whatever its format. Its authors are named as the call showed them (display only: no identities).
 */
async function annotationsReference(
  recorded: readonly RecordedAnnotation[],
  id: string,
  subject: Reference<Patient>,
  date: number,
  skipped: ExportSkips,
): Promise<DocumentReference | null> {
  const document = toAnnotationDocument(recorded, skipped)
  const annotations = document.annotations
  // Every one was left out: the OperationOutcome says so, and an empty document would say nothing.
  if (annotations.length === 0) return null
  const json = JSON.stringify(document)
  const bytes = textEncoder.encode(json)
  const removed = annotations.filter((a) => a.removedAt !== undefined).length
  const authors = [...new Set(annotations.map((a) => a.authorName))]
  const attachment: Attachment = {
    contentType: 'application/json',
    data: base64Utf8(json),
    size: bytes.length,
    hash: await sha1Base64(bytes),
    title: `${ANNOTATION_DOCUMENT_FORMAT}.json`,
  }
  return {
    resourceType: 'DocumentReference',
    id,
    status: 'current',
    type: structuredClone(ANNOTATIONS_TYPE),
    subject,
    date: fhirDateTime(date),
    ...(authors.length ? { author: authors.map((display) => ({ display })) } : {}),
    description:
      `${annotations.length} ${annotations.length === 1 ? 'annotation' : 'annotations'} placed during the call` +
      `${removed ? ` (${removed} later removed)` : ''}, with their poses in the on-site worker's space`,
    content: [{ attachment }],
  }
}

const SEVERITY: Record<AlarmPriority, DetectedIssue['severity']> = {
  high: 'high',
  medium: 'moderate',
  low: 'low',
}

/**
 * One alarm, from its log entries, as a DetectedIssue: `severity` its highest priority, `identifiedPeriod` from
 * raised to cleared (open while it was still going when the call ended), `implicated` and `evidence` the
 * readings that raised and escalated it, `mitigation` each acknowledgement and audio pause (by the clinician of
 * this record, at its time), and `detail` the whole log of the alarm in words.
 */
function alarmIssue(
  entries: readonly AlarmLogEntry[],
  id: string,
  subject: Reference<Patient>,
  author: Reference<Device>,
  clinician: Reference<Practitioner> | undefined,
  readingOf: (entry: AlarmLogEntry) => Reference<Observation> | undefined,
): DetectedIssue {
  const first = entries[0] as AlarmLogEntry
  const peak = entries.reduce<AlarmPriority>(
    (best, e) => (e.priority && PRIORITY_RANK[e.priority] > PRIORITY_RANK[best] ? e.priority : best),
    'low',
  )
  const cleared = entries.find((e) => e.event === 'cleared')
  const technical = first.condition === 'stale'
  const evidence: DetectedIssueEvidence[] = []
  const implicated: Reference[] = []
  for (const entry of entries) {
    if (entry.event !== 'raised' && entry.event !== 'escalated') continue
    const reading = readingOf(entry)
    if (reading && !implicated.some((r) => r.reference === reading.reference)) implicated.push(reading)
    evidence.push({
      code: [{ text: `${entry.event} (${entry.priority ?? 'low'} priority): ${entry.message}` }],
      ...(reading ? { detail: [reading] } : {}),
    })
  }
  const mitigation: DetectedIssueMitigation[] = entries
    .filter((e) => e.event === 'acknowledged' || e.event === 'silenced')
    .map((e) => ({
      action: {
        text: e.event === 'acknowledged' ? 'Alarm acknowledged' : `Alarm audio paused (${e.message})`,
      },
      date: fhirDateTime(e.at),
      ...(clinician ? { author: clinician } : {}),
    }))
  const name = first.message.split(':')[0] ?? 'Vital sign'
  return {
    resourceType: 'DetectedIssue',
    id,
    status: 'final',
    code: {
      text: technical ? `${name}: no update (technical alarm)` : `${name} alarm (${first.condition ?? ''})`,
    },
    severity: SEVERITY[peak],
    patient: subject,
    identifiedPeriod: {
      start: fhirDateTime(first.at),
      ...(cleared ? { end: fhirDateTime(cleared.at) } : {}),
    },
    author,
    ...(implicated.length ? { implicated } : {}),
    ...(evidence.length ? { evidence } : {}),
    detail: entries.map((e) => `${fhirDateTime(e.at)} ${e.event}: ${e.message}`).join('\n'),
    ...(mitigation.length ? { mitigation } : {}),
  }
}

function patientResource(call: FhirCall, id: string): Patient {
  const identifier: Identifier = call.patientIdentifier
    ? {
        use: 'usual',
        type: {
          coding: [{ system: IDENTIFIER_TYPE, code: 'MR', display: 'Medical record number' }],
          text: 'Medical record number',
        },
        ...(call.patientIdentifier.system ? { system: call.patientIdentifier.system } : {}),
        value: call.patientIdentifier.value,
      }
    : {
        // Said, not left out: an identifier whose value is unknown (FHIR's data-absent-reason extension), so
        // a receiving system matches this patient by hand instead of taking the name as an identity.
        extension: [{ url: DATA_ABSENT_REASON_EXTENSION, valueCode: 'unknown' }],
        type: { text: UNIDENTIFIED_TEXT },
      }
  return {
    resourceType: 'Patient',
    id,
    identifier: [identifier],
    ...(call.patientName ? { name: [{ text: call.patientName }] } : {}),
  }
}

/** Why an ECG chunk cannot be exported: its start and end must be dates, its rate a positive number. */
function ecgProblem(chunk: EcgChunk): SkipReason | null {
  if (!(Number.isFinite(chunk.sampleRateHz) && chunk.sampleRateHz > 0)) return 'value'
  const end = chunk.at + (chunk.samples.length * 1000) / chunk.sampleRateHz
  return isExportableTime(chunk.at) && isExportableTime(end) ? null : 'time'
}

/**
 * What the export left out, said inside the file: an OperationOutcome, FHIR's resource for "this is what went
 * wrong", with one warning per kind of item and reason, so whoever imports the Bundle knows it is not the whole
 * record.
 */
function skippedOutcome(skipped: ExportSkips, id: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    id,
    issue: skipped.sentences().map((text) => ({
      severity: 'warning' as const,
      code: 'invalid' as const,
      details: { text: `Left out of this export: ${text}.` },
    })),
  }
}

/** The whole call as a FHIR R4 `collection` Bundle; see the top of this file. */
export async function toFhirBundle(
  call: FhirCall,
  observations: readonly Measurement[],
  ecgChunks: readonly EcgChunk[],
  annotations: readonly RecordedAnnotation[] = [],
  options: FhirExportOptions = {},
): Promise<Bundle> {
  const newId = options.newId ?? (() => crypto.randomUUID())
  // One bad item is skipped and named, never the end of the export.
  const skipped = new ExportSkips()
  const measurements = exportable(observations, 'reading', measurementProblem, skipped)
  const ecg = exportable(ecgChunks, 'ecg', ecgProblem, skipped)
  const alarmLog = exportable(
    options.alarmLog ?? [],
    'alarm-entry',
    (e) => (isExportableTime(e.at) ? null : 'time'),
    skipped,
  )
  const entry: BundleEntry[] = []
  // Every resource here is made with an id from newId(); the entry's urn:uuid is that id.
  const add = (resource: Resource) => {
    entry.push({ fullUrl: `urn:uuid:${resource.id}`, resource })
    return `urn:uuid:${resource.id}`
  }

  let subject: Reference<Patient>
  if (options.patientRef) {
    subject = { reference: options.patientRef }
  } else {
    // The patient as the call knew them: a name at most, and the identifier the clinician entered. No birth date
    // or anything else the call never had; the receiving system matches the patient.
    subject = { reference: add(patientResource(call, newId())) }
  }
  if (call.patientName) subject.display = call.patientName

  let clinician: Reference<Practitioner> | undefined
  if (call.clinicianName) {
    const practitioner: Practitioner = {
      resourceType: 'Practitioner',
      id: newId(),
      name: [{ text: call.clinicianName }],
    }
    clinician = { reference: add(practitioner), display: call.clinicianName }
  }

  const devices = new Map<string, Reference<Device>>()
  const sources = [...measurements.map((m) => m.source), ...ecg.map((c) => c.source)]
  for (const source of sources) {
    if (source.kind !== 'device' || devices.has(identity(source))) continue
    devices.set(identity(source), {
      reference: add(deviceResource(source, newId(), { reference: subject.reference ?? '' })),
      display: source.label,
    })
  }

  const settings = alarmLog.flatMap((e) => (e.settings ? [{ at: e.at, settings: e.settings }] : []))
  const context: ObservationContext = { subject, devices, settings }
  const readings = new Map<string, Reference<Observation>>()
  for (const m of measurements.sort((a, b) => a.at - b.at)) {
    const reference = add(observation(m, newId(), context))
    readings.set(`${m.kind}|${m.at}`, { reference })
  }
  for (const run of ecgRuns(ecg)) add(ecgObservation(run, newId(), context))

  const alarms = new Map<string, AlarmLogEntry[]>()
  for (const e of alarmLog) {
    if (e.event === 'settings' || e.alarmId === undefined) continue
    const list = alarms.get(e.alarmId) ?? []
    list.push(e)
    alarms.set(e.alarmId, list)
  }
  if (alarms.size) {
    const author: Reference<Device> = {
      reference: add(alarmBoardDevice(newId())),
      display: 'XR Consult alarm display',
    }
    const readingOf = (e: AlarmLogEntry) =>
      e.kind !== undefined && e.measuredAt !== undefined
        ? readings.get(`${e.kind}|${e.measuredAt}`)
        : undefined
    for (const list of alarms.values()) add(alarmIssue(list, newId(), subject, author, clinician, readingOf))
  }

  // Only with annotations: an empty document would say nothing, and calls without them stay as they were.
  if (annotations.length) {
    const reference = await annotationsReference(
      annotations,
      newId(),
      subject,
      options.exportedAt ?? Date.now(),
      skipped,
    )
    if (reference) add(reference)
  }
  for (const item of call.sharedItems ?? []) add(await sharedItemReference(item, newId(), subject))
  if (call.carePlan && isExportableTime(call.carePlan.at))
    add(carePlanResource(call.carePlan, newId(), subject, clinician))
  // Each screening with the questionnaire it answers (once per questionnaire), and the consent to the record.
  const questionnaires = new Set<string>()
  for (const screening of call.screenings ?? []) {
    if (!isExportableTime(screening.at)) continue
    if (!questionnaires.has(screening.questionnaire)) {
      questionnaires.add(screening.questionnaire)
      add(questionnaireResource(screening, newId()))
    }
    add(questionnaireResponseResource(screening, newId(), subject))
  }
  if (call.consent && isExportableTime(call.consent.at))
    add(consentResource(call.consent, newId(), subject, clinician))
  if (skipped.count > 0) add(skippedOutcome(skipped, newId()))
  options.skipped?.addAll(skipped)

  return {
    resourceType: 'Bundle',
    id: newId(),
    type: 'collection',
    ...(options.exportedAt !== undefined ? { timestamp: fhirDateTime(options.exportedAt) } : {}),
    entry,
  }
}
