// Vitals on the wire: the patient's latest numerics as validated `vitals` messages about once a second, and a
// `vitals-stopped` when they stop sharing. Numerics are ephemeral (the next one replaces the last), so they are
// not ops. The ECG goes as binary waveform frames on ECG_STREAM (the network layer's frames).
import { z } from 'zod'
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

const deviceString = z.string().min(1).max(MAX_DEVICE_STRING).optional()
const vitalSource = z.object({
  kind: z.enum(['simulated', 'device', 'manual']),
  label: z.string().min(1).max(80),
  // What the device says it is (Device Information), for the clinician's export.
  device: z
    .object({
      manufacturer: deviceString,
      model: deviceString,
      serial: deviceString,
      firmware: deviceString,
      hardware: deviceString,
      software: deviceString,
    })
    .optional(),
})
const measurementBase = {
  at: z.number().finite(),
  source: vitalSource,
  quality: z.enum(['ok', 'questionable']),
  // The details of a reading (./types.ts): why it is questionable, spot or continuous, the device's own value and
  // unit, the thermometer's site, the glucose specimen. All optional: a simulator or a hand entry has none.
  questionableBecause: z.array(z.string().min(1).max(120)).max(8).optional(),
  spot: z.boolean().optional(),
  sent: z
    .object({
      unit: z.enum(Object.keys(SENT_UNITS) as [SentUnit, ...SentUnit[]]),
      values: z.array(z.number().finite()).min(1).max(3),
    })
    .optional(),
  site: z.enum(TEMPERATURE_SITES).optional(),
  specimen: z.enum(GLUCOSE_SAMPLE_TYPES).exclude(['control-solution']).optional(),
}
const finite = z.number().finite()
/** One vital sign reading (./types.ts). Plausibility is the receiver's business: it drops what is not. */
export const measurementSchema = z.union([
  z.object({ kind: z.enum(VITAL_KINDS).exclude(['blood-pressure']), value: finite, ...measurementBase }),
  z.object({
    kind: z.literal('blood-pressure'),
    systolic: finite,
    diastolic: finite,
    mean: finite.optional(),
    ...measurementBase,
  }),
])
export const vitalsMessageSchema = z.object({
  type: z.literal('vitals'),
  items: z.array(measurementSchema).min(1).max(20),
})
/** The patient stopped sharing vitals: the panels say so at once instead of waiting to go stale. */
export const vitalsStoppedMessageSchema = z.object({ type: z.literal('vitals-stopped') })

/** The messages vitals add to the protocol, with what an honest sender never exceeds. */
export const vitalsMessageSpecs = [
  // Numerics at 1 Hz plus a manual reading now and then.
  { schema: vitalsMessageSchema, limit: { maxChars: 4_000, perSecond: 4, burst: 10 } },
  { schema: vitalsStoppedMessageSchema, limit: { maxChars: 100, perSecond: 1, burst: 3 } },
] as const
