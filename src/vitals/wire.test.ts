// A measurement crosses the call with everything issue 12 added to it (./wire.ts `measurementSchema`),
// so the clinician's record and export see the device's own value, the site, the specimen and the device.
import { describe, expect, it } from 'vitest'
import type { Measurement } from './types'
import { measurementSchema } from './wire'

describe('measurementSchema', () => {
  it('carries the details of a reading unchanged', () => {
    const full: Measurement = {
      kind: 'glucose',
      value: 99,
      at: 1_700_000_000_000,
      source: {
        kind: 'device',
        label: 'Meter',
        device: { manufacturer: 'Acme', model: 'G1', serial: 'S123', firmware: '1.2' },
      },
      quality: 'questionable',
      questionableBecause: ['the sample was too small'],
      spot: true,
      sent: { unit: 'mmol/L', values: [5.5] },
      specimen: 'interstitial-fluid',
    }
    expect(measurementSchema.parse(full)).toEqual(full)
    const temperature: Measurement = {
      kind: 'temperature',
      value: 37,
      at: 1,
      source: { kind: 'device', label: 'Thermometer' },
      quality: 'ok',
      site: 'tympanum',
      sent: { unit: '[degF]', values: [98.6] },
    }
    expect(measurementSchema.parse(temperature)).toEqual(temperature)
  })

  it('refuses a control solution as a specimen, an unknown unit and an overlong device string', () => {
    const base = { kind: 'glucose', value: 99, at: 1, source: { kind: 'device', label: 'M' }, quality: 'ok' }
    expect(measurementSchema.safeParse({ ...base, specimen: 'control-solution' }).success).toBe(false)
    expect(measurementSchema.safeParse({ ...base, sent: { unit: 'mg', values: [1] } }).success).toBe(false)
    const longName = { kind: 'device', label: 'M', device: { model: 'x'.repeat(65) } }
    expect(measurementSchema.safeParse({ ...base, source: longName }).success).toBe(false)
  })
})
