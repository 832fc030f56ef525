// Vitals on the wire: the patient's latest numerics as validated `vitals` messages about once a second, and a
// `vitals-stopped` when they stop sharing. Numerics are ephemeral (the next one replaces the last), so they are
// not ops. The ECG goes as binary waveform frames on ECG_STREAM (the network layer's frames).
import * as z from 'zod/mini'
import {
  GLUCOSE_SAMPLE_TYPES,
  MAX_DEVICE_STRING,
  SENT_UNITS,
  type SentUnit,
  TEMPERATURE_SITES,
  VITAL_KINDS,
} from './types'

/** The frame stream id of the ECG (lead I): other waveforms would take other ids. */
export const ECG_STREAM = 0

const deviceString = z.optional(z.string().check(z.minLength(1), z.maxLength(MAX_DEVICE_STRING)))
const vitalSource = z.object({
  kind: z.enum(['simulated', 'device', 'manual']),
  label: z.string().check(z.minLength(1), z.maxLength(80)),
  // What the device says it is (Device Information), for the clinician's export.
  device: z.optional(
    z.object({
      manufacturer: deviceString,
      model: deviceString,
      serial: deviceString,
      firmware: deviceString,
      hardware: deviceString,
      software: deviceString,
    }),
  ),
})
/** `values` less `dropped`, keeping the literal types (zod/mini's enums have no `.exclude`). */
function without<T extends string, D extends T>(values: readonly T[], dropped: D): Exclude<T, D>[] {
  return values.filter((value): value is Exclude<T, D> => value !== dropped)
}
const measurementBase = {
  at: z.number(),
  source: vitalSource,
  quality: z.enum(['ok', 'questionable']),
  // The details of a reading (./types.ts): why it is questionable, spot or continuous, the device's own value and
  // unit, the thermometer's site, the glucose specimen. All optional: a simulator or a hand entry has none.
  questionableBecause: z.optional(
    z.array(z.string().check(z.minLength(1), z.maxLength(120))).check(z.maxLength(8)),
  ),
  spot: z.optional(z.boolean()),
  sent: z.optional(
    z.object({
      unit: z.enum(Object.keys(SENT_UNITS) as [SentUnit, ...SentUnit[]]),
      values: z.array(z.number()).check(z.minLength(1), z.maxLength(3)),
    }),
  ),
  site: z.optional(z.enum(TEMPERATURE_SITES)),
  specimen: z.optional(z.enum(without(GLUCOSE_SAMPLE_TYPES, 'control-solution'))),
}
const finite = z.number()
/** One vital sign reading (./types.ts). Plausibility is the receiver's business: it drops what is not. */
export const measurementSchema = z.union([
  z.object({ kind: z.enum(without(VITAL_KINDS, 'blood-pressure')), value: finite, ...measurementBase }),
  z.object({
    kind: z.literal('blood-pressure'),
    systolic: finite,
    diastolic: finite,
    mean: z.optional(finite),
    ...measurementBase,
  }),
])
export const vitalsMessageSchema = z.object({
  type: z.literal('vitals'),
  items: z.array(measurementSchema).check(z.minLength(1), z.maxLength(20)),
})
/** The patient stopped sharing vitals: the panels say so at once instead of waiting to go stale. */
export const vitalsStoppedMessageSchema = z.object({ type: z.literal('vitals-stopped') })

/** The messages vitals add to the protocol, with what an honest sender never exceeds. */
export const vitalsMessageSpecs = [
  // Numerics at 1 Hz plus a manual reading now and then.
  { schema: vitalsMessageSchema, limit: { maxChars: 4_000, perSecond: 4, burst: 10 } },
  { schema: vitalsStoppedMessageSchema, limit: { maxChars: 100, perSecond: 1, burst: 3 } },
] as const
