// The FHIR export, field by field against the R4 vital-signs profiles as written out here (not from the code), and
// every bundle it makes through two real FHIR R4 validators (test-fhir-validator.ts): 0 errors, warnings printed.
import type { DetectedIssue, Device, Patient, Resource } from '@medplum/fhirtypes'
import { afterAll, describe, expect, it } from 'vitest'
import { applyAnnotationOps, createAnnotationState, materialize } from '../annotations/model'
import { ALICE, addOp, arrowShape, BOB, line, pinShape, strokeShape } from '../annotations/test-ops'
import { AlarmBoard } from '../vitals/alarms'
import { type Measurement, type Source, VITAL_KINDS, type VitalKind } from '../vitals/types'
import {
  ANNOTATIONS_TYPE_TEXT,
  DATA_ABSENT_REASON_EXTENSION,
  type FhirBundle,
  type FhirDocumentReference,
  type FhirExportOptions,
  type FhirObservation,
  MAX_ECG_SAMPLES_PER_OBSERVATION,
  MDC,
  MEASUREMENT_STATUS,
  OBSERVATION_CATEGORY,
  PQ_TRANSLATION_EXTENSION,
  QUESTIONABLE_NOTE,
  SIMULATED_NOTE,
  sha1Base64,
  TEST_DATA_LABEL,
  toFhirBundle,
  VITAL_SIGNS_PROFILE,
} from './fhir'
import type { EcgChunk, RecordedAnnotation } from './record'
import { ExportSkips } from './skipped'
import { decodeBase64Utf8 } from './test-base64'
import { summarizeWarnings, VALIDATION_TIMEOUT_MS, validateFhirBundle } from './test-fhir-validator'

const T0 = Date.UTC(2026, 10, 26, 22, 47, 3, 250)
const device: Source = {
  kind: 'device',
  label: 'Contec CMS50D+',
  device: { manufacturer: 'Contec', model: 'CMS50D+', serial: 'SN-0042', firmware: '2.1' },
}
const simulator: Source = { kind: 'simulated', label: 'Simulator (desaturation)' }
const call = { patientName: 'Ada Patient', clinicianName: 'Dr Grace Hopper' }

/** FHIR R4's dateTime regex, narrowed to a full time, which then must carry a zone. */
const FHIR_DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

// What each vital must look like, written out from the FHIR R4 vital-signs profiles, not from the code.
const EXPECTED: Record<
  VitalKind,
  { loinc: string[]; ucum: string; profile: string | null; category: string; value: number }
> = {
  'heart-rate': {
    loinc: ['8867-4'],
    ucum: '/min',
    profile: 'http://hl7.org/fhir/StructureDefinition/heartrate',
    category: 'vital-signs',
    value: 72,
  },
  spo2: {
    // 2708-6 for the oxygensat profile, 59408-5 (by pulse oximetry) for systems that look for it.
    loinc: ['2708-6', '59408-5'],
    ucum: '%',
    profile: 'http://hl7.org/fhir/StructureDefinition/oxygensat',
    category: 'vital-signs',
    value: 97,
  },
  'respiratory-rate': {
    loinc: ['9279-1'],
    ucum: '/min',
    profile: 'http://hl7.org/fhir/StructureDefinition/resprate',
    category: 'vital-signs',
    value: 16,
  },
  'blood-pressure': {
    loinc: ['85354-9'],
    ucum: 'mm[Hg]',
    profile: 'http://hl7.org/fhir/StructureDefinition/bp',
    category: 'vital-signs',
    value: 0,
  },
  temperature: {
    loinc: ['8310-5'],
    ucum: 'Cel',
    profile: 'http://hl7.org/fhir/StructureDefinition/bodytemp',
    category: 'vital-signs',
    value: 36.8,
  },
  // No specimen reported: glucose in (whole) blood.
  glucose: { loinc: ['2339-0'], ucum: 'mg/dL', profile: null, category: 'laboratory', value: 104 },
}

function measurementOf(kind: VitalKind, at: number, source: Source = device): Measurement {
  if (kind === 'blood-pressure')
    return { kind, at, systolic: 121, diastolic: 79, mean: 93, source, quality: 'ok' }
  return { kind, at, value: EXPECTED[kind].value, source, quality: 'ok' }
}

function counter() {
  let n = 0
  return () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`
}

const resources = (bundle: FhirBundle): Resource[] =>
  (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []))
const observations = (bundle: FhirBundle) =>
  resources(bundle).filter((r): r is FhirObservation => r.resourceType === 'Observation')
const documentReferences = (bundle: FhirBundle) =>
  resources(bundle).filter((r): r is FhirDocumentReference => r.resourceType === 'DocumentReference')
const issues = (bundle: FhirBundle) =>
  resources(bundle).filter((r): r is DetectedIssue => r.resourceType === 'DetectedIssue')
const devices = (bundle: FhirBundle) =>
  resources(bundle).filter((r): r is Device => r.resourceType === 'Device')
const patientOf = (bundle: FhirBundle) =>
  resources(bundle).find((r): r is Patient => r.resourceType === 'Patient')
const fullUrlOf = (bundle: FhirBundle, type: string) =>
  bundle.entry?.find((e) => e.resource?.resourceType === type)?.fullUrl

const ecgChunk = (at: number, samples: number[], source: Source = device): EcgChunk => ({
  at,
  sampleRateHz: 250,
  samples: Int16Array.from(samples),
  source,
})

/** Every bundle a test makes, validated at the end of the file; each also in its own test where it matters. */
const made: { name: string; bundle: FhirBundle }[] = []
async function exported(name: string, ...args: Parameters<typeof toFhirBundle>): Promise<FhirBundle> {
  const bundle = await toFhirBundle(...args)
  made.push({ name, bundle })
  return bundle
}

async function expectValid(bundle: FhirBundle, name: string) {
  const report = await validateFhirBundle(bundle)
  // The warnings, listed: Medplum's validator cannot resolve urn:uuid references inside a Bundle and says so.
  if (report.warnings.length)
    console.info(`FHIR validation warnings (${name}):\n  ${summarizeWarnings(report.warnings).join('\n  ')}`)
  expect(report.errors, name).toEqual([])
}

describe('FHIR export', async () => {
  const measurements = VITAL_KINDS.map((kind, i) => measurementOf(kind, T0 + i * 1000))
  const ecg = [ecgChunk(T0, [-120, 0, 850, 32767]), ecgChunk(T0 + 16, [-32768, 5, 6])]
  const options = { exportedAt: T0 + 3_600_000, newId: counter() }
  const bundle = await exported('every vital', call, measurements, ecg, [], options)

  it(
    'lists each shared file as a DocumentReference with its SHA-256, type, size, sharer and time',
    async () => {
      const sha256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
      const bundle = await exported(
        'shared files',
        {
          ...call,
          sharedItems: [
            {
              name: 'ct.dcm',
              mime: 'application/dicom',
              size: 524_288,
              sha256,
              sharedBy: 'Dr Grace Hopper',
              sharedAt: T0,
            },
          ],
        },
        [],
        [],
      )
      const reference = bundle.entry
        ?.map((e) => e.resource)
        .find((r) => r?.resourceType === 'DocumentReference') as FhirDocumentReference | undefined
      expect(reference?.masterIdentifier).toEqual({
        system: 'urn:ietf:rfc:3986',
        value: 'ni:///sha-256;ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0',
      })
      expect(reference?.content[0]?.attachment).toMatchObject({
        contentType: 'application/dicom',
        title: 'ct.dcm',
        size: 524_288,
      })
      expect(reference?.author).toEqual([{ display: 'Dr Grace Hopper' }])
      await expectValid(bundle, 'shared files')
    },
    VALIDATION_TIMEOUT_MS,
  )

  it('is a collection Bundle with the patient, the clinician, the device, and urn:uuid addresses', () => {
    expect(bundle.resourceType).toBe('Bundle')
    expect(bundle.type).toBe('collection')
    expect(bundle.timestamp).toBe('2026-11-26T23:47:03.250Z')
    expect(resources(bundle).filter((r) => r.resourceType === 'Patient')).toHaveLength(1)
    expect(resources(bundle).find((r) => r.resourceType === 'Practitioner')).toMatchObject({
      name: [{ text: 'Dr Grace Hopper' }],
    })
    const urls = (bundle.entry ?? []).map((e) => e.fullUrl ?? '')
    for (const url of urls) expect(url).toMatch(UUID_URN)
    for (const e of bundle.entry ?? []) expect(e.fullUrl).toBe(`urn:uuid:${e.resource?.id}`)
    expect(new Set(urls).size).toBe(urls.length)
    // One Observation per measurement, plus the ECG (two contiguous chunks make one).
    expect(observations(bundle)).toHaveLength(VITAL_KINDS.length + 1)
  })

  it(
    'passes both FHIR R4 validators with 0 errors, and they do catch a broken export',
    async () => {
      await expectValid(bundle, 'every vital')
      const broken = structuredClone(bundle)
      const spo2 = observations(broken).find((o) => o.code.coding?.[0]?.code === '2708-6')
      if (spo2?.valueQuantity) spo2.valueQuantity.code = 'mg'
      const hr = observations(broken).find((o) => o.code.coding?.[0]?.code === '8867-4')
      if (hr) hr.code.coding = [{ system: 'http://loinc.org', code: '1234-5' }]
      const first = observations(broken).at(-1)
      if (first) Object.assign(first, { status: 'nonsense' })
      const report = await validateFhirBundle(broken)
      expect(report.errors.join('\n')).toMatch(/UCUM code mg/)
      expect(report.errors.join('\n')).toMatch(/HeartRateCode|8867-4/)
      expect(report.errors.join('\n')).toMatch(/JSON schema/)
    },
    VALIDATION_TIMEOUT_MS,
  )

  it('writes each vital field by field as its vital-signs profile asks, with no performer', () => {
    const patientUrl = fullUrlOf(bundle, 'Patient')
    const [oximeter] = devices(bundle)
    for (const [i, kind] of VITAL_KINDS.entries()) {
      const expected = EXPECTED[kind]
      const obs = observations(bundle).find((o) => o.code.coding?.[0]?.code === expected.loinc[0])
      expect(obs, kind).toBeDefined()
      if (!obs) continue
      expect(obs.status).toBe('final')
      expect(obs.category?.[0]?.coding).toEqual([
        { system: OBSERVATION_CATEGORY, code: expected.category, display: expect.any(String) },
      ])
      expect(obs.code.coding?.map((c) => [c.system, c.code])).toEqual(
        expected.loinc.map((code) => ['http://loinc.org', code]),
      )
      expect(obs.meta?.profile).toEqual(
        expected.profile ? [VITAL_SIGNS_PROFILE, expected.profile] : undefined,
      )
      expect(obs.effectiveDateTime).toMatch(FHIR_DATE_TIME)
      expect(Date.parse(obs.effectiveDateTime ?? '')).toBe(T0 + i * 1000)
      expect(obs.subject).toEqual({ reference: patientUrl, display: 'Ada Patient' })
      // The remote clinician took none of these readings; the device at the patient's side did.
      expect(obs.performer).toBeUndefined()
      expect(obs.device).toEqual({ reference: `urn:uuid:${oximeter?.id}`, display: 'Contec CMS50D+' })
      if (kind === 'blood-pressure') expect(obs.valueQuantity).toBeUndefined()
      else
        expect(obs.valueQuantity).toEqual({
          value: expected.value,
          unit: expect.any(String),
          system: 'http://unitsofmeasure.org',
          code: expected.ucum,
        })
    }
  })

  it('describes the measuring device from its Device Information', () => {
    expect(devices(bundle)).toEqual([
      {
        resourceType: 'Device',
        id: expect.any(String),
        deviceName: [
          { name: 'Contec CMS50D+', type: 'user-friendly-name' },
          { name: 'CMS50D+', type: 'model-name' },
        ],
        manufacturer: 'Contec',
        modelNumber: 'CMS50D+',
        serialNumber: 'SN-0042',
        version: [{ type: { text: 'firmware revision' }, value: '2.1' }],
        patient: { reference: fullUrlOf(bundle, 'Patient') },
      },
    ])
  })

  it('marks a patient without an identifier as not identified, and carries an MRN when one was entered', async () => {
    expect(patientOf(bundle)?.identifier).toEqual([
      {
        extension: [{ url: DATA_ABSENT_REASON_EXTENSION, valueCode: 'unknown' }],
        type: { text: expect.stringMatching(/^Not identified/) },
      },
    ])
    const identified = await exported(
      'with an MRN',
      { ...call, patientIdentifier: { value: 'MRN-004711', system: 'urn:oid:1.2.3.4.5' } },
      [measurementOf('heart-rate', T0)],
      [],
    )
    expect(patientOf(identified)?.identifier).toEqual([
      {
        use: 'usual',
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v2-0203',
              code: 'MR',
              display: 'Medical record number',
            },
          ],
          text: 'Medical record number',
        },
        system: 'urn:oid:1.2.3.4.5',
        value: 'MRN-004711',
      },
    ])
  })

  it('writes blood pressure as the panel with systolic, diastolic and mean components in mm[Hg]', async () => {
    const bp = observations(bundle).find((o) => o.code.coding?.[0]?.code === '85354-9')
    expect(bp?.component?.map((c) => [c.code.coding?.[0]?.code, c.valueQuantity])).toEqual(
      (
        [
          ['8480-6', 121],
          ['8462-4', 79],
          ['8478-0', 93],
        ] as const
      ).map(([code, value]) => [
        code,
        { value, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
      ]),
    )
    const withoutMean = await exported(
      'bp without mean',
      call,
      [{ kind: 'blood-pressure', at: T0, systolic: 120, diastolic: 80, source: device, quality: 'ok' }],
      [],
    )
    expect(observations(withoutMean)[0]?.component?.map((c) => c.code.coding?.[0]?.code)).toEqual([
      '8480-6',
      '8462-4',
    ])
  })

  describe('the device’s own value and unit', async () => {
    const converted = await exported(
      'converted units',
      call,
      [
        {
          kind: 'blood-pressure',
          at: T0,
          systolic: 120,
          diastolic: 80,
          mean: 94,
          source: device,
          quality: 'ok',
          sent: { unit: 'kPa', values: [16, 10.7, 12.5] },
        },
        {
          kind: 'temperature',
          at: T0 + 1000,
          value: 37,
          source: device,
          quality: 'ok',
          sent: { unit: '[degF]', values: [98.6] },
          site: 'tympanum',
        },
        {
          kind: 'glucose',
          at: T0 + 2000,
          value: 99,
          source: device,
          quality: 'ok',
          sent: { unit: 'mmol/L', values: [5.5] },
          specimen: 'capillary-whole-blood',
        },
        {
          kind: 'glucose',
          at: T0 + 3000,
          value: 99,
          source: device,
          quality: 'ok',
          sent: { unit: 'mmol/L', values: [5.5] },
          specimen: 'interstitial-fluid',
        },
      ],
      [],
    )
    const [bp, temperature, capillary, interstitial] = observations(converted)

    it('keeps kPa beside the whole-mmHg conversion the bp profile requires', () => {
      expect(bp?.component?.[0]?.valueQuantity).toEqual({
        extension: [
          {
            url: PQ_TRANSLATION_EXTENSION,
            valueQuantity: { value: 16, unit: 'kPa', system: 'http://unitsofmeasure.org', code: 'kPa' },
          },
        ],
        value: 120,
        unit: 'mmHg',
        system: 'http://unitsofmeasure.org',
        code: 'mm[Hg]',
      })
    })

    it('exports a °F reading in °F, as the thermometer measured it, with the site it reported', () => {
      expect(temperature?.valueQuantity).toEqual({
        value: 98.6,
        unit: '°F',
        system: 'http://unitsofmeasure.org',
        code: '[degF]',
      })
      expect(temperature?.bodySite).toEqual({
        coding: [
          { system: 'http://snomed.info/sct', code: '42859004', display: 'Tympanic membrane structure' },
        ],
        text: 'Tympanic membrane structure',
      })
    })

    it('codes glucose by specimen and unit: mmol/L from a capillary meter goes out as sent', () => {
      expect(capillary?.code.coding?.[0]?.code).toBe('14743-9')
      expect(capillary?.valueQuantity).toEqual({
        value: 5.5,
        unit: 'mmol/L',
        system: 'http://unitsofmeasure.org',
        code: 'mmol/L',
      })
      // Interstitial fluid has a mass LOINC term only: the conversion, with the sensor's own value kept.
      expect(interstitial?.code.coding?.[0]?.code).toBe('99504-3')
      expect(interstitial?.valueQuantity).toMatchObject({
        value: 99,
        code: 'mg/dL',
        extension: [{ url: PQ_TRANSLATION_EXTENSION, valueQuantity: { value: 5.5, code: 'mmol/L' } }],
      })
    })

    it(
      'validates',
      async () => {
        await expectValid(converted, 'converted units')
      },
      VALIDATION_TIMEOUT_MS,
    )
  })

  it('codes glucose by the specimen the meter reports', async () => {
    const specimens = ['capillary-plasma', 'venous-whole-blood', 'undetermined-plasma'] as const
    const glucose = await exported(
      'glucose specimens',
      call,
      specimens.map((specimen, i) => ({
        kind: 'glucose',
        at: T0 + i,
        value: 100,
        source: device,
        quality: 'ok',
        specimen,
      })),
      [],
    )
    expect(observations(glucose).map((o) => o.code.coding?.[0]?.code)).toEqual(['2345-7', '2339-0', '2345-7'])
  })

  it('writes the ECG as SampledData: 4 ms period, one dimension, every sample, in µV', () => {
    const ecgObs = observations(bundle).filter((o) => o.valueSampledData)
    expect(ecgObs).toHaveLength(1)
    const obs = ecgObs[0]
    expect(obs?.code.coding).toEqual([{ system: MDC, code: '131328', display: 'MDC_ECG_ELEC_POTL' }])
    expect(obs?.meta?.profile).toBeUndefined()
    expect(obs?.category?.[0]?.coding?.[0]).toMatchObject({ system: OBSERVATION_CATEGORY, code: 'procedure' })
    const sampled = obs?.valueSampledData
    expect(sampled?.period).toBe(4)
    expect(sampled?.dimensions).toBe(1)
    expect(sampled?.factor).toBe(1)
    expect(sampled?.origin).toEqual({ value: 0, unit: 'µV', system: 'http://unitsofmeasure.org', code: 'uV' })
    expect(sampled?.data?.split(' ').map(Number)).toEqual([-120, 0, 850, 32767, -32768, 5, 6])
    expect(obs?.effectivePeriod).toEqual({
      start: '2026-11-26T22:47:03.250Z',
      end: '2026-11-26T22:47:03.274Z',
    })
    expect(obs?.performer).toBeUndefined()
    expect(obs?.device?.display).toBe('Contec CMS50D+')
  })

  it('splits the ECG at a gap, at a change of source, and every minute of samples', async () => {
    const split = await exported(
      'ecg split',
      call,
      [],
      [
        ecgChunk(T0, [1, 2]),
        ecgChunk(T0 + 8, [3]), // continues
        ecgChunk(T0 + 1000, [4, 5]), // after a gap
        ecgChunk(T0 + 1008, [6], simulator), // another source
      ],
    )
    expect(observations(split).map((o) => o.valueSampledData?.data)).toEqual(['1 2 3', '4 5', '6'])

    const long = Array.from({ length: 80 }, (_, i) => ecgChunk(T0 + i * 1000, new Array(250).fill(i)))
    const minutes = observations(await toFhirBundle(call, [], long))
    expect(minutes.map((o) => o.valueSampledData?.data?.split(' ').length)).toEqual([
      MAX_ECG_SAMPLES_PER_OBSERVATION,
      20 * 250,
    ])
  })

  it('makes a simulated value unmistakable: a note, the method, and the test-data security label', async () => {
    const simulated = await exported(
      'simulated',
      call,
      [measurementOf('heart-rate', T0, simulator)],
      [ecgChunk(T0, [1, 2], simulator)],
    )
    const [obs, ecgObs] = observations(simulated)
    expect(obs?.note).toEqual([{ text: SIMULATED_NOTE }])
    expect(obs?.method?.text).toMatch(/^Simulated/)
    expect(obs?.meta?.security).toEqual([TEST_DATA_LABEL])
    expect(obs?.meta?.profile).toContain(VITAL_SIGNS_PROFILE)
    expect(obs?.device).toBeUndefined()
    expect(ecgObs?.note).toEqual([{ text: SIMULATED_NOTE }])
    expect(ecgObs?.meta?.security).toEqual([TEST_DATA_LABEL])
    expect(devices(simulated)).toEqual([])
  })

  it('codes a questionable reading as the device flagged it, and says how a manual one was taken', async () => {
    const flagged = await exported(
      'questionable',
      call,
      [
        {
          ...measurementOf('spo2', T0, { kind: 'manual', label: 'Entered by hand' }),
          quality: 'questionable',
          questionableBecause: ['poor signal', 'motion'],
        },
      ],
      [],
    )
    const [obs] = observations(flagged)
    expect(obs?.interpretation).toEqual([
      {
        coding: [{ system: MEASUREMENT_STATUS, code: 'questionable', display: 'Questionable' }],
        text: 'Flagged by the device: poor signal; motion',
      },
    ])
    expect(obs?.note).toEqual([{ text: QUESTIONABLE_NOTE }])
    expect(obs?.method).toEqual({ text: 'Entered by hand at the patient’s side' })
    expect(obs?.device).toBeUndefined()
    expect(obs?.performer).toBeUndefined()
  })

  it('points at the receiving system’s patient when given one, and holds no Patient of its own', async () => {
    const linked = await exported(
      'linked patient',
      {},
      [measurementOf('heart-rate', T0, simulator)],
      [],
      [],
      {
        patientRef: 'Patient/123',
      },
    )
    expect(resources(linked).map((r) => r.resourceType)).toEqual(['Observation'])
    expect(observations(linked)[0]?.subject).toEqual({ reference: 'Patient/123' })
    expect(linked.timestamp).toBeUndefined()
  })

  describe('the alarm log', async () => {
    const board = new AlarmBoard()
    const readings: Measurement[] = [
      measurementOf('spo2', T0),
      { ...measurementOf('spo2', T0 + 1000), kind: 'spo2', value: 88 },
      { ...measurementOf('spo2', T0 + 2000), kind: 'spo2', value: 80 },
      { ...measurementOf('spo2', T0 + 4000), kind: 'spo2', value: 95 },
    ]
    for (const m of readings.slice(0, 3)) board.ingest(m, m.at + 200)
    board.silence(120_000, T0 + 3000)
    board.ingest(readings[3] as Measurement, T0 + 4200)
    board.acknowledge('spo2', T0 + 5000)
    const alarmLog = [...board.log]
    const withLog: FhirExportOptions = { alarmLog, newId: counter() }
    const logged = await exported('alarm log', call, readings, [], [], withLog)

    it('exports each alarm as a DetectedIssue: severity, period, the readings, acknowledgement and pause', () => {
      const [issue] = issues(logged)
      const spo2 = observations(logged)
      expect(issues(logged)).toHaveLength(1)
      expect(issue).toMatchObject({
        status: 'final',
        code: { text: 'SpO₂ low alarm (low)' },
        severity: 'high',
        patient: { reference: fullUrlOf(logged, 'Patient') },
        identifiedPeriod: { start: fhirTime(T0 + 1200), end: fhirTime(T0 + 5000) },
        implicated: [{ reference: `urn:uuid:${spo2[1]?.id}` }, { reference: `urn:uuid:${spo2[2]?.id}` }],
        mitigation: [
          {
            action: { text: 'Alarm audio paused (SpO₂ low: 80 % (limit 90 %): audio paused for 2 min)' },
            date: fhirTime(T0 + 3000),
            author: { reference: fullUrlOf(logged, 'Practitioner'), display: 'Dr Grace Hopper' },
          },
          { action: { text: 'Alarm acknowledged' }, date: fhirTime(T0 + 5000) },
        ],
      })
      expect(issue?.evidence?.map((e) => e.code?.[0]?.text)).toEqual([
        'raised (medium priority): SpO₂ low: 88 % (limit 90 %)',
        'escalated (high priority): SpO₂ low: 80 % (limit 90 %)',
      ])
      expect(issue?.detail?.split('\n').map((line) => line.split(' ')[1])).toEqual([
        'raised:',
        'escalated:',
        'silenced:',
        'latched:',
        'acknowledged:',
        'cleared:',
      ])
      // Authored by the software that raised it, which says it is not a certified alarm system.
      const author = devices(logged).find((d) => `urn:uuid:${d.id}` === issue?.author?.reference)
      expect(author?.deviceName?.[0]?.name).toMatch(/not a certified alarm system/)
    })

    it('codes the readings outside the alarm limits in force: L, and LL in the high-priority band', () => {
      expect(observations(logged).map((o) => o.interpretation?.[0]?.coding?.[0]?.code ?? null)).toEqual([
        null,
        'L',
        'LL',
        null,
      ])
      expect(observations(logged)[2]?.interpretation?.[0]?.text).toBe(
        'SpO₂ low: 80 % (limit 90 %): high-priority alarm',
      )
    })

    it(
      'validates',
      async () => {
        await expectValid(logged, 'alarm log')
      },
      VALIDATION_TIMEOUT_MS,
    )
  })

  describe('annotations', async () => {
    const shown = materialize(
      applyAnnotationOps(createAnnotationState(), [
        addOp(ALICE, 1, 1, strokeShape(line(0, 5)), {
          placement: { frame: 'world', position: [0.25, 1.1, -0.8], orientation: [0, 0.6, 0, 0.8] },
        }),
        addOp(BOB, 1, 2, pinShape('Ventil öffnen ⚠'), {
          placement: {
            frame: 'plane',
            planeId: 'wall-3',
            position: [0.1, 0.2, 0.3],
            orientation: [0, 0, 0, 1],
          },
          approximate: true,
        }),
        addOp(ALICE, 2, 3, arrowShape()),
      ]),
    )
    const annotations: RecordedAnnotation[] = shown.map((a, i) => ({
      ...a,
      seenAt: T0 + 1000 * (i + 1),
      ...(i === 2 ? { removedAt: T0 + 30_000 } : {}),
    }))
    const withAnnotations = await exported('annotations', call, measurements, ecg, annotations, {
      exportedAt: T0 + 3_600_000,
      newId: counter(),
    })

    it('adds them as one DocumentReference about the patient, with a coded type and a SHA-1 hash', async () => {
      const references = documentReferences(withAnnotations)
      expect(references).toHaveLength(1)
      const reference = references[0]
      expect(reference?.status).toBe('current')
      expect(reference?.type).toEqual({
        coding: [{ system: 'http://loinc.org', code: '11488-4', display: 'Consult note' }],
        text: ANNOTATIONS_TYPE_TEXT,
      })
      expect(reference?.subject).toEqual({
        reference: fullUrlOf(withAnnotations, 'Patient'),
        display: 'Ada Patient',
      })
      expect(reference?.date).toBe('2026-11-26T23:47:03.250Z')
      expect(reference?.author).toEqual([{ display: 'Alice' }, { display: 'Bob' }])
      expect(reference?.description).toBe(
        "3 annotations placed during the call (1 later removed), with their poses in the on-site worker's space",
      )
      const attachment = reference?.content[0]?.attachment
      expect(attachment).toEqual({
        contentType: 'application/json',
        data: expect.any(String),
        size: expect.any(Number),
        hash: expect.stringMatching(/^[A-Za-z0-9+/]{27}=$/),
        title: 'xr-consult-annotations.json',
      })
      const bytes = new TextEncoder().encode(decodeBase64Utf8(attachment?.data ?? ''))
      expect(attachment?.hash).toBe(await sha1Base64(bytes))
      expect(observations(withAnnotations)).toHaveLength(VITAL_KINDS.length + 1)
    })

    it('hashes with SHA-1 in base64, as FHIR defines Attachment.hash', async () => {
      // FIPS 180 test vector: SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d
      expect(await sha1Base64(new TextEncoder().encode('abc'))).toBe('qZk+NkcGgWq6PiVxeFDCbJzQ2J0=')
    })

    it('attaches the annotation document, which decodes back to the annotations with their poses', () => {
      const attachment = documentReferences(withAnnotations)[0]?.content[0]?.attachment
      const json = decodeBase64Utf8(attachment?.data ?? '')
      expect(attachment?.size).toBe(new TextEncoder().encode(json).length)
      expect(JSON.parse(json)).toEqual({
        format: 'xr-consult-annotations',
        version: 1,
        frame: "on-site worker's XR reference space (local-floor), metres",
        annotations,
      })
    })

    it('adds no DocumentReference when the call has none', () => {
      expect(documentReferences(bundle)).toEqual([])
    })
  })
})

describe('FHIR export of a record with items no file can hold', async () => {
  // A record written before dates were checked, or damaged: one reading dated 1e300, one whose value is not a
  // number, an ECG stretch dated 1e300, an alarm log entry dated 1e300 and an annotation dated 1e300.
  const good = measurementOf('heart-rate', T0)
  const measurements: Measurement[] = [
    good,
    measurementOf('spo2', 1e300),
    { ...measurementOf('temperature', T0 + 1000), value: Number.NaN } as Measurement,
  ]
  const ecg = [ecgChunk(T0, [1, 2, 3]), ecgChunk(1e300, [4, 5, 6])]
  const [shown] = materialize(
    applyAnnotationOps(createAnnotationState(), [addOp(ALICE, 1, 1, pinShape('x'))]),
  )
  if (!shown) throw new Error('an annotation expected')
  const annotations: RecordedAnnotation[] = [
    { ...shown, seenAt: T0 },
    { ...shown, id: 'late', createdAt: 1e300, seenAt: T0 },
  ]
  const alarmLog = [{ at: 1e300, event: 'acknowledged' as const, message: 'SpO₂ low', alarmId: 'a1' }]
  const skipped = new ExportSkips()
  const bundle = await exported('skipped items', call, measurements, ecg, annotations, {
    exportedAt: T0 + 3_600_000,
    newId: counter(),
    alarmLog,
    skipped,
  })

  it('exports the rest and names what it left out, in the file and to the caller', () => {
    expect(observations(bundle).map((o) => o.effectiveDateTime ?? o.effectivePeriod?.start)).toEqual([
      fhirTime(T0),
      fhirTime(T0),
    ])
    expect(issues(bundle)).toEqual([])
    const outcome = resources(bundle).find((r) => r.resourceType === 'OperationOutcome')
    expect(skipped.sentences()).toEqual([
      '1 reading skipped: its time was invalid',
      '1 reading skipped: a value was not a number',
      '1 ECG stretch skipped: its time was invalid',
      '1 alarm log entry skipped: its time was invalid',
      '1 annotation skipped: its time was invalid',
    ])
    expect(outcome).toMatchObject({
      issue: expect.arrayContaining([
        {
          severity: 'warning',
          code: 'invalid',
          details: { text: 'Left out of this export: 1 reading skipped: its time was invalid.' },
        },
      ]),
    })
    const document = JSON.parse(
      decodeBase64Utf8(documentReferences(bundle)[0]?.content[0]?.attachment?.data ?? ''),
    )
    expect(document.annotations).toHaveLength(1)
    expect(document.skipped).toEqual(['1 annotation skipped: its time was invalid'])
    expect(documentReferences(bundle)[0]?.description).toMatch(/^1 annotation placed/)
  })

  it(
    'is still a valid FHIR R4 Bundle',
    async () => {
      await expectValid(bundle, 'skipped items')
    },
    VALIDATION_TIMEOUT_MS,
  )
})

function fhirTime(ms: number) {
  return new Date(ms).toISOString()
}

describe('every exported bundle', () => {
  afterAll(() => {
    expect(made.length).toBeGreaterThan(5)
  })
  it(
    'passes the FHIR R4 validators with 0 errors (warnings listed)',
    async () => {
      for (const { name, bundle } of made) await expectValid(bundle, name)
    },
    VALIDATION_TIMEOUT_MS,
  )
})
