import { describe, expect, it } from 'vitest'
import { annotationCountText, exportFileName, formatDuration } from './call-records'

describe('past calls', () => {
  it('names export files after the local start time, without colons', () => {
    const startedAt = new Date(2026, 10, 26, 22, 47, 31).getTime()
    expect(exportFileName(startedAt, 'fhir.json')).toBe('consult-2026-11-26T22-47.fhir.json')
    expect(exportFileName(startedAt, 'csv')).toBe('consult-2026-11-26T22-47.csv')
    expect(exportFileName(startedAt, 'annotations.json')).toBe('consult-2026-11-26T22-47.annotations.json')
    expect(exportFileName(1e300, 'csv')).toBe('consult-unknown-time.csv')
  })

  it('says how long a call lasted', () => {
    expect(formatDuration(40_400)).toBe('40 s')
    expect(formatDuration(12 * 60_000 + 5_000)).toBe('12 min 05 s')
    expect(formatDuration(3_600_000 + 2 * 60_000)).toBe('1 h 02 min')
    expect(formatDuration(-5)).toBe('0 s')
  })

  it('counts annotations in words', () => {
    expect(annotationCountText(1)).toBe('1 annotation')
    expect(annotationCountText(3)).toBe('3 annotations')
  })
})
