import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { applyAnnotationOps, createAnnotationState, materialize } from '../annotations/model'
import { ALICE, addOp, arrowShape, BOB, line, pinShape, strokeShape } from '../annotations/test-ops'
import { type Measurement, type Source, VITAL_KINDS, type VitalKind } from '../vitals/types'
import {
  ANNOTATIONS_TYPE_TEXT,
  type FhirBundle,
  type FhirDocumentReference,
  type FhirObservation,
  MAX_ECG_SAMPLES_PER_OBSERVATION,
  MDC,
  OBSERVATION_CATEGORY,
  QUESTIONABLE_NOTE,
  SIMULATED_NOTE,
  TEST_DATA_LABEL,
  toFhirBundle,
  UCUM,
  VITAL_SIGNS_PROFILE,
} from './fhir'
import type { EcgChunk, RecordedAnnotation } from './record'
import { decodeBase64Utf8 } from './test-base64'

const T0 = Date.UTC(2026, 10, 26, 22, 47, 3, 250)
const device: Source = { kind: 'device', label: 'Contec CMS50D+' }
const simulator: Source = { kind: 'simulated', label: 'Simulator (desaturation)' }
const call = { patientName: 'Ada Patient', clinicianName: 'Dr Grace Hopper' }

/** FHIR R4's dateTime regex, narrowed to a full time, which then must carry a zone. */
const FHIR_DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

// What each vital must look like, written out from the FHIR R4 vital-signs profiles, not from the code.
const EXPECTED: Record<
  VitalKind,
  { loinc: string; ucum: string; profile: string | null; category: string; value: number }
> = {
  'heart-rate': {
    loinc: '8867-4',
    ucum: '/min',
    profile: 'http://hl7.org/fhir/StructureDefinition/heartrate',
    category: 'vital-signs',
    value: 72,
  },
  spo2: {
    loinc: '2708-6',
    ucum: '%',
    profile: 'http://hl7.org/fhir/StructureDefinition/oxygensat',
    category: 'vital-signs',
    value: 97,
  },
  'respiratory-rate': {
    loinc: '9279-1',
    ucum: '/min',
    profile: 'http://hl7.org/fhir/StructureDefinition/resprate',
    category: 'vital-signs',
    value: 16,
  },
  'blood-pressure': {
    loinc: '85354-9',
    ucum: 'mm[Hg]',
    profile: 'http://hl7.org/fhir/StructureDefinition/bp',
    category: 'vital-signs',
    value: 0,
  },
  temperature: {
    loinc: '8310-5',
    ucum: 'Cel',
    profile: 'http://hl7.org/fhir/StructureDefinition/bodytemp',
    category: 'vital-signs',
    value: 36.8,
  },
  glucose: { loinc: '2339-0', ucum: 'mg/dL', profile: null, category: 'laboratory', value: 104 },
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

const observations = (bundle: FhirBundle) =>
  bundle.entry.map((e) => e.resource).filter((r): r is FhirObservation => r.resourceType === 'Observation')
const documentReferences = (bundle: FhirBundle) =>
  bundle.entry
    .map((e) => e.resource)
    .filter((r): r is FhirDocumentReference => r.resourceType === 'DocumentReference')

// Shape check of what this export promises, in zod; a receiving system's validator would check more.
const coding = z.object({
  system: z.string().min(1),
  code: z.string().min(1),
  display: z.string().optional(),
})
const codeable = z.object({ coding: z.array(coding).min(1), text: z.string().optional() })
const ucumQuantity = z.object({
  value: z.number().finite(),
  unit: z.string().min(1),
  system: z.literal(UCUM),
  code: z.string().min(1),
})
const reference = z.object({ reference: z.string().min(1), display: z.string().optional() })
const observationSchema = z
  .object({
    resourceType: z.literal('Observation'),
    id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/),
    meta: z
      .object({ profile: z.array(z.url()).optional(), security: z.array(coding).optional() })
      .strict()
      .optional(),
    status: z.literal('final'),
    category: z.array(codeable).min(1),
    code: codeable,
    subject: reference,
    effectiveDateTime: z.string().regex(FHIR_DATE_TIME).optional(),
    effectivePeriod: z
      .object({ start: z.string().regex(FHIR_DATE_TIME), end: z.string().regex(FHIR_DATE_TIME) })
      .optional(),
    performer: z.array(reference).optional(),
    valueQuantity: ucumQuantity.optional(),
    valueSampledData: z
      .object({
        origin: ucumQuantity,
        period: z.number().positive(),
        factor: z.number(),
        dimensions: z.number().int().positive(),
        data: z.string().regex(/^-?\d+( -?\d+)*$/),
      })
      .strict()
      .optional(),
    component: z.array(z.object({ code: codeable, valueQuantity: ucumQuantity }).strict()).optional(),
    note: z.array(z.object({ text: z.string().min(1) })).optional(),
    method: z.object({ text: z.string().min(1) }).optional(),
    device: z.object({ display: z.string().min(1) }).optional(),
  })
  .strict()
  // vs-2: a value, or components; and one effective[x], not both.
  .refine((o) => (o.valueQuantity || o.valueSampledData ? 1 : 0) + (o.component ? 1 : 0) === 1)
  .refine((o) => (o.effectiveDateTime ? 1 : 0) + (o.effectivePeriod ? 1 : 0) === 1)
const bundleSchema = z
  .object({
    resourceType: z.literal('Bundle'),
    id: z.string(),
    type: z.literal('collection'),
    timestamp: z.string().regex(FHIR_DATE_TIME).optional(),
    entry: z.array(
      z
        .object({
          fullUrl: z.string().regex(UUID_URN),
          resource: z.discriminatedUnion('resourceType', [
            z
              .object({
                resourceType: z.literal('Patient'),
                id: z.string(),
                name: z.array(z.object({ text: z.string() }).strict()).optional(),
              })
              .strict(),
            z
              .object({
                resourceType: z.literal('Practitioner'),
                id: z.string(),
                name: z.array(z.object({ text: z.string() }).strict()),
              })
              .strict(),
            observationSchema,
            z
              .object({
                resourceType: z.literal('DocumentReference'),
                id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/),
                status: z.literal('current'),
                type: z.object({ text: z.string().min(1) }).strict(),
                subject: reference,
                // An instant: to the second at least, with a zone.
                date: z.string().regex(FHIR_DATE_TIME),
                author: z.array(z.object({ display: z.string().min(1) }).strict()).optional(),
                description: z.string().min(1).optional(),
                content: z
                  .array(
                    z
                      .object({
                        attachment: z
                          .object({
                            contentType: z.string().min(1),
                            data: z
                              .string()
                              .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/),
                            size: z.number().int().nonnegative().optional(),
                            title: z.string().min(1).optional(),
                          })
                          .strict(),
                      })
                      .strict(),
                  )
                  .min(1),
              })
              .strict(),
          ]),
        })
        .strict()
        .refine((e) => e.fullUrl === `urn:uuid:${e.resource.id}`),
    ),
  })
  .strict()

const ecgChunk = (at: number, samples: number[], source: Source = device): EcgChunk => ({
  at,
  sampleRateHz: 250,
  samples: Int16Array.from(samples),
  source,
})

describe('FHIR export', () => {
  const measurements = VITAL_KINDS.map((kind, i) => measurementOf(kind, T0 + i * 1000))
  const ecg = [ecgChunk(T0, [-120, 0, 850, 32767]), ecgChunk(T0 + 16, [-32768, 5, 6])]
  const bundle = toFhirBundle(call, measurements, ecg, [], { exportedAt: T0 + 3_600_000, newId: counter() })

  it('is a collection Bundle with the patient, the clinician, and every entry addressed by a urn:uuid', () => {
    expect(bundle.resourceType).toBe('Bundle')
    expect(bundle.type).toBe('collection')
    expect(bundle.timestamp).toBe('2026-11-26T23:47:03.250Z')
    const patient = bundle.entry.filter((e) => e.resource.resourceType === 'Patient')
    expect(patient).toHaveLength(1)
    expect(patient[0]?.resource).toEqual({
      resourceType: 'Patient',
      id: expect.any(String),
      name: [{ text: 'Ada Patient' }],
    })
    const practitioner = bundle.entry.find((e) => e.resource.resourceType === 'Practitioner')
    expect(practitioner?.resource).toMatchObject({ name: [{ text: 'Dr Grace Hopper' }] })
    const urls = bundle.entry.map((e) => e.fullUrl)
    for (const url of urls) expect(url).toMatch(UUID_URN)
    expect(new Set(urls).size).toBe(urls.length)
    // One Observation per measurement, plus the ECG (two contiguous chunks make one).
    expect(observations(bundle)).toHaveLength(VITAL_KINDS.length + 1)
  })

  it('passes the shape check, which does catch a broken export', () => {
    const result = bundleSchema.safeParse(bundle)
    expect(result.success ? [] : result.error.issues).toEqual([])

    const broken = structuredClone(bundle)
    const quantity = observations(broken).find((o) => o.valueQuantity)?.valueQuantity
    if (quantity) (quantity as { system: string }).system = 'mmHg'
    expect(bundleSchema.safeParse(broken).success).toBe(false)
    const noZone = structuredClone(bundle)
    const first = observations(noZone)[0]
    if (first) first.effectiveDateTime = '2026-11-26T22:47:03'
    expect(bundleSchema.safeParse(noZone).success).toBe(false)
  })

  it('writes each vital field by field as its vital-signs profile asks', () => {
    const patientUrl = bundle.entry.find((e) => e.resource.resourceType === 'Patient')?.fullUrl
    const practitionerUrl = bundle.entry.find((e) => e.resource.resourceType === 'Practitioner')?.fullUrl
    for (const [i, kind] of VITAL_KINDS.entries()) {
      const expected = EXPECTED[kind]
      const obs = observations(bundle).find((o) => o.code.coding?.[0]?.code === expected.loinc)
      expect(obs, kind).toBeDefined()
      if (!obs) continue
      expect(obs.resourceType).toBe('Observation')
      expect(obs.status).toBe('final')
      expect(obs.category).toHaveLength(1)
      expect(obs.category[0]?.coding).toEqual([
        {
          system: 'http://terminology.hl7.org/CodeSystem/observation-category',
          code: expected.category,
          display: expect.any(String),
        },
      ])
      expect(obs.code.coding).toHaveLength(1)
      expect(obs.code.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: expected.loinc })
      expect(obs.code.text).toBeTruthy()
      expect(obs.meta?.profile).toEqual(
        expected.profile
          ? ['http://hl7.org/fhir/StructureDefinition/vitalsigns', expected.profile]
          : undefined,
      )
      expect(obs.effectiveDateTime).toMatch(FHIR_DATE_TIME)
      expect(Date.parse(obs.effectiveDateTime ?? '')).toBe(T0 + i * 1000)
      expect(obs.subject.reference).toBe(patientUrl)
      expect(obs.subject.display).toBe('Ada Patient')
      expect(obs.performer).toEqual([{ reference: practitionerUrl, display: 'Dr Grace Hopper' }])
      expect(obs.device).toEqual({ display: 'Contec CMS50D+' })
      if (kind === 'blood-pressure') {
        expect(obs.valueQuantity).toBeUndefined()
      } else {
        expect(obs.valueQuantity).toEqual({
          value: expected.value,
          unit: expect.any(String),
          system: 'http://unitsofmeasure.org',
          code: expected.ucum,
        })
        expect(obs.component).toBeUndefined()
      }
    }
  })

  it('writes blood pressure as the panel with systolic and diastolic components in mm[Hg]', () => {
    const bp = observations(bundle).find((o) => o.code.coding?.[0]?.code === '85354-9')
    const components = bp?.component ?? []
    const byCode = (code: string) => components.find((c) => c.code.coding?.[0]?.code === code)
    for (const [code, value] of [
      ['8480-6', 121],
      ['8462-4', 79],
      ['8478-0', 93],
    ] as const) {
      expect(byCode(code)?.code.coding?.[0]?.system).toBe('http://loinc.org')
      expect(byCode(code)?.valueQuantity).toEqual({
        value,
        unit: 'mmHg',
        system: 'http://unitsofmeasure.org',
        code: 'mm[Hg]',
      })
    }
    expect(components).toHaveLength(3)
    const withoutMean = toFhirBundle(
      call,
      [{ kind: 'blood-pressure', at: T0, systolic: 120, diastolic: 80, source: device, quality: 'ok' }],
      [],
    )
    expect(observations(withoutMean)[0]?.component?.map((c) => c.code.coding?.[0]?.code)).toEqual([
      '8480-6',
      '8462-4',
    ])
  })

  it('writes the ECG as SampledData: 4 ms period, one dimension, every sample, in µV', () => {
    const ecgObs = observations(bundle).filter((o) => o.valueSampledData)
    expect(ecgObs).toHaveLength(1)
    const obs = ecgObs[0]
    expect(obs?.status).toBe('final')
    expect(obs?.code.coding).toEqual([{ system: MDC, code: '131328', display: 'MDC_ECG_ELEC_POTL' }])
    expect(obs?.meta?.profile).toBeUndefined()
    expect(obs?.category[0]?.coding?.[0]).toMatchObject({ system: OBSERVATION_CATEGORY, code: 'procedure' })
    const sampled = obs?.valueSampledData
    expect(sampled?.period).toBe(4)
    expect(sampled?.dimensions).toBe(1)
    expect(sampled?.factor).toBe(1)
    expect(sampled?.origin).toEqual({ value: 0, unit: 'µV', system: 'http://unitsofmeasure.org', code: 'uV' })
    const data = sampled?.data.split(' ').map(Number)
    expect(data).toEqual([-120, 0, 850, 32767, -32768, 5, 6])
    expect(data).toHaveLength(7)
    // First to last sample: 6 periods of 4 ms.
    expect(obs?.effectivePeriod).toEqual({
      start: '2026-11-26T22:47:03.250Z',
      end: '2026-11-26T22:47:03.274Z',
    })
    expect(obs?.effectiveDateTime).toBeUndefined()
    expect(obs?.subject.reference).toBe(
      bundle.entry.find((e) => e.resource.resourceType === 'Patient')?.fullUrl,
    )
  })

  it('splits the ECG at a gap, at a change of source, and every minute of samples', () => {
    const split = toFhirBundle(
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
    const minutes = observations(toFhirBundle(call, [], long))
    expect(minutes.map((o) => o.valueSampledData?.data.split(' ').length)).toEqual([
      MAX_ECG_SAMPLES_PER_OBSERVATION,
      20 * 250,
    ])
  })

  it('makes a simulated value unmistakable: a note, the method, and the test-data security label', () => {
    const [obs] = observations(toFhirBundle(call, [measurementOf('heart-rate', T0, simulator)], []))
    expect(obs?.note).toEqual([{ text: SIMULATED_NOTE }])
    expect(obs?.method?.text).toMatch(/^Simulated/)
    expect(obs?.meta?.security).toEqual([TEST_DATA_LABEL])
    expect(obs?.meta?.profile).toContain(VITAL_SIGNS_PROFILE)
    expect(obs?.device).toBeUndefined()

    const [ecgObs] = observations(toFhirBundle(call, [], [ecgChunk(T0, [1, 2], simulator)]))
    expect(ecgObs?.note).toEqual([{ text: SIMULATED_NOTE }])
    expect(ecgObs?.meta?.security).toEqual([TEST_DATA_LABEL])

    const [real] = observations(toFhirBundle(call, [measurementOf('heart-rate', T0)], []))
    expect(real?.meta?.security).toBeUndefined()
    expect(real?.note).toBeUndefined()
  })

  it('notes a questionable reading, and says how a manual one was taken', () => {
    const [obs] = observations(
      toFhirBundle(
        call,
        [
          {
            ...measurementOf('spo2', T0, { kind: 'manual', label: 'Entered by hand' }),
            quality: 'questionable',
          },
        ],
        [],
      ),
    )
    expect(obs?.note).toEqual([{ text: QUESTIONABLE_NOTE }])
    expect(obs?.method).toEqual({ text: 'Entered by hand' })
    expect(obs?.device).toBeUndefined()
  })

  it('points at the receiving system’s patient when given one, and holds no Patient of its own', () => {
    const linked = toFhirBundle({}, [measurementOf('heart-rate', T0)], [], [], { patientRef: 'Patient/123' })
    expect(linked.entry.map((e) => e.resource.resourceType)).toEqual(['Observation'])
    expect(observations(linked)[0]?.subject).toEqual({ reference: 'Patient/123' })
    expect(linked.timestamp).toBeUndefined()
    expect(bundleSchema.safeParse(linked).success).toBe(true)
  })

  it('keeps an unnamed patient anonymous: a Patient with nothing but its id', () => {
    const anonymous = toFhirBundle({}, [measurementOf('heart-rate', T0)], [])
    const patient = anonymous.entry.find((e) => e.resource.resourceType === 'Patient')
    expect(Object.keys(patient?.resource ?? {}).sort()).toEqual(['id', 'resourceType'])
    expect(observations(anonymous)[0]?.subject).toEqual({ reference: patient?.fullUrl })
  })

  describe('annotations', () => {
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
    const withAnnotations = toFhirBundle(call, measurements, ecg, annotations, {
      exportedAt: T0 + 3_600_000,
      newId: counter(),
    })

    it('adds them as one DocumentReference about the patient, field by field', () => {
      const references = documentReferences(withAnnotations)
      expect(references).toHaveLength(1)
      const reference = references[0]
      const patient = withAnnotations.entry.find((e) => e.resource.resourceType === 'Patient')
      expect(reference?.resourceType).toBe('DocumentReference')
      expect(reference?.status).toBe('current')
      expect(reference?.type).toEqual({ text: 'Remote guidance annotations' })
      expect(ANNOTATIONS_TYPE_TEXT).toBe('Remote guidance annotations')
      expect(reference?.subject).toEqual({ reference: patient?.fullUrl, display: 'Ada Patient' })
      expect(reference?.date).toBe('2026-11-26T23:47:03.250Z')
      expect(reference?.author).toEqual([{ display: 'Alice' }, { display: 'Bob' }])
      expect(reference?.description).toBe(
        "3 annotations placed during the call (1 later removed), with their poses in the on-site worker's space",
      )
      expect(reference?.content).toHaveLength(1)
      expect(reference?.content[0]?.attachment).toEqual({
        contentType: 'application/json',
        data: expect.any(String),
        size: expect.any(Number),
        title: 'xr-consult-annotations.json',
      })
      // Everything else is as it was: one Observation per measurement, plus the ECG.
      expect(observations(withAnnotations)).toHaveLength(VITAL_KINDS.length + 1)
      const result = bundleSchema.safeParse(withAnnotations)
      expect(result.success ? [] : result.error.issues).toEqual([])
    })

    it('attaches the annotation document, which decodes back to the annotations with their poses', () => {
      const attachment = documentReferences(withAnnotations)[0]?.content[0]?.attachment
      const json = decodeBase64Utf8(attachment?.data ?? '')
      expect(attachment?.size).toBe(new TextEncoder().encode(json).length)
      const document = JSON.parse(json)
      expect(document).toEqual({
        format: 'xr-consult-annotations',
        version: 1,
        frame: "on-site worker's XR reference space (local-floor), metres",
        annotations,
      })
      expect(document.annotations[1].shape.label).toBe('Ventil öffnen ⚠')
      expect(document.annotations[2].removedAt).toBe(T0 + 30_000)
      expect('removedAt' in document.annotations[0]).toBe(false)
    })

    it('points at the receiving system’s patient when given one', () => {
      const linked = toFhirBundle({}, [], [], annotations, { patientRef: 'Patient/123', exportedAt: T0 })
      expect(linked.entry.map((e) => e.resource.resourceType)).toEqual(['DocumentReference'])
      expect(documentReferences(linked)[0]?.subject).toEqual({ reference: 'Patient/123' })
      expect(bundleSchema.safeParse(linked).success).toBe(true)
    })

    it('adds no DocumentReference when the call has none', () => {
      expect(documentReferences(bundle)).toEqual([])
      expect(documentReferences(toFhirBundle(call, measurements, ecg, [], { exportedAt: T0 }))).toEqual([])
    })
  })
})
