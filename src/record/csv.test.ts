import { describe, expect, it } from 'vitest'
import type { Measurement } from '../vitals/types'
import { CSV_HEADER, numberCell, textCell, toCsv } from './csv'
import { ExportSkips } from './skipped'

const T0 = Date.UTC(2026, 10, 26, 22, 47)

/** A small RFC 4180 reader, to check that what we write reads back as the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else cell += c
  }
  return rows
}

describe('CSV export', () => {
  const measurements: Measurement[] = [
    {
      kind: 'blood-pressure',
      at: T0 + 2000,
      systolic: 121,
      diastolic: 79,
      source: { kind: 'device', label: 'Omron, "M7" cuff' },
      quality: 'ok',
    },
    {
      kind: 'heart-rate',
      at: T0,
      value: 72,
      source: { kind: 'simulated', label: 'Simulator (desaturation)' },
      quality: 'questionable',
    },
    {
      kind: 'temperature',
      at: T0 + 1000,
      value: 36.8,
      source: { kind: 'manual', label: 'line 1\nline 2' },
      quality: 'ok',
    },
  ]
  const csv = toCsv(measurements)
  const rows = parseCsv(csv)

  it('starts with the header and ends every line, the last too, with CRLF', () => {
    expect(
      csv.startsWith(
        'time (ISO 8601),vital,LOINC,value,unit (UCUM),systolic,diastolic,mean,source kind,source label,quality,device value,device unit (UCUM),questionable because,site or specimen\r\n',
      ),
    ).toBe(true)
    expect(rows[0]).toEqual([...CSV_HEADER])
    expect(csv.endsWith('\r\n')).toBe(true)
    // No bare LF outside a quoted cell: every LF belongs to a CRLF or sits in the quoted two-line label.
    expect(csv.replace(/"[^"]*"/g, '').match(/[^\r]\n/g)).toBeNull()
  })

  it('writes one row per measurement, oldest first, with LOINC and UCUM', () => {
    expect(rows).toHaveLength(4)
    expect(rows.slice(1)).toEqual([
      [
        '2026-11-26T22:47:00.000Z',
        'Heart rate',
        '8867-4',
        '72',
        '/min',
        '',
        '',
        '',
        'simulated',
        'Simulator (desaturation)',
        'questionable',
        '',
        '',
        '',
        '',
      ],
      [
        '2026-11-26T22:47:01.000Z',
        'Body temperature',
        '8310-5',
        '36.8',
        'Cel',
        '',
        '',
        '',
        'manual',
        'line 1\nline 2',
        'ok',
        '',
        '',
        '',
        '',
      ],
      [
        '2026-11-26T22:47:02.000Z',
        'Blood pressure',
        '85354-9',
        '',
        'mm[Hg]',
        '121',
        '79',
        '',
        'device',
        'Omron, "M7" cuff',
        'ok',
        '',
        '',
        '',
        '',
      ],
    ])
    expect(rows.every((row) => row.length === CSV_HEADER.length)).toBe(true)
  })

  it('quotes commas, quotes and line breaks, doubling the quotes', () => {
    expect(csv).toContain(',"Omron, ""M7"" cuff",')
    expect(csv).toContain(',"line 1\nline 2",')
    expect(textCell('plain')).toBe('plain')
    expect(textCell('a\rb')).toBe('"a\rb"')
  })

  it('defuses text that a spreadsheet would run as a formula', () => {
    for (const label of ['=HYPERLINK("http://evil","x")', '+1+cmd', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
      const cell = textCell(label)
      const written = toCsv([
        { kind: 'heart-rate', at: T0, value: 60, source: { kind: 'device', label }, quality: 'ok' },
      ])
      const sourceLabel = parseCsv(written)[1]?.[CSV_HEADER.indexOf('source label')]
      expect(sourceLabel).toBe(`'${label}`)
      expect(cell.replace(/^"/, '').startsWith("'")).toBe(true)
    }
    expect(textCell('Polar H10 = strap')).toBe('Polar H10 = strap')
  })

  it('leaves numbers alone, negative ones included, and writes nothing for a missing one', () => {
    expect(numberCell(-0.5)).toBe('-0.5')
    expect(numberCell(36.8)).toBe('36.8')
    expect(numberCell(undefined)).toBe('')
    expect(numberCell(Number.NaN)).toBe('')
  })

  it('writes the device’s own value and unit beside a conversion, the device’s reasons, site and specimen', () => {
    const [, glucose, temperature] = parseCsv(
      toCsv([
        {
          kind: 'glucose',
          at: T0,
          value: 99,
          source: { kind: 'device', label: 'Meter' },
          quality: 'questionable',
          questionableBecause: ['the sample was too small', 'the strip was pulled out too soon'],
          sent: { unit: 'mmol/L', values: [5.5] },
          specimen: 'capillary-whole-blood',
        },
        {
          kind: 'temperature',
          at: T0 + 1,
          value: 37,
          source: { kind: 'device', label: 'Thermometer' },
          quality: 'ok',
          sent: { unit: '[degF]', values: [98.6] },
          site: 'tympanum',
        },
      ]),
    )
    const at = (name: (typeof CSV_HEADER)[number]) => CSV_HEADER.indexOf(name)
    expect(glucose?.[at('value')]).toBe('99')
    expect(glucose?.[at('device value')]).toBe('5.5')
    expect(glucose?.[at('device unit (UCUM)')]).toBe('mmol/L')
    expect(glucose?.[at('questionable because')]).toBe(
      'the sample was too small; the strip was pulled out too soon',
    )
    expect(glucose?.[at('site or specimen')]).toBe('capillary-whole-blood')
    expect(temperature?.[at('device value')]).toBe('98.6')
    expect(temperature?.[at('site or specimen')]).toBe('tympanum')
  })

  it('gives just the header for a call without measurements', () => {
    expect(parseCsv(toCsv([]))).toEqual([[...CSV_HEADER]])
  })

  it('skips a reading it cannot write and says so, and writes the others', () => {
    const skipped = new ExportSkips()
    const text = toCsv(
      [
        measurements[1] as Measurement,
        { ...(measurements[1] as Measurement), at: 1e300 },
        { ...(measurements[1] as Measurement), at: Number.NaN },
        { ...(measurements[0] as Measurement), systolic: Number.POSITIVE_INFINITY } as Measurement,
      ],
      skipped,
    )
    const written = parseCsv(text)
    expect(written).toHaveLength(2)
    expect(written[1]?.[0]).toBe('2026-11-26T22:47:00.000Z')
    expect(skipped.sentences()).toEqual([
      '2 readings skipped: their times were invalid',
      '1 reading skipped: a value was not a number',
    ])
  })
})
