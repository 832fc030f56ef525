// A recorded call's vital signs as CSV (RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote or
// line break in double quotes, quotes doubled), one row per measurement, for a spreadsheet. Pure.
//
// The ECG is not here: 250 rows a second of one number each is not something a spreadsheet helps with. It is in
// the FHIR export (fhir.ts), as SampledData.
//
// Nor are the annotations: RFC 4180 has one header and the same fields in every record, so a second table with
// other columns (author, x, y, z, shape, points) would be a second file in disguise, which spreadsheets read as
// broken rows of this one. And an annotation is a pose plus a shape in the worker's space, not a reading: a row of
// its placement's x, y, z drops the rotation, the frame and the stroke's points, the parts that say what was
// shown. They have their own export (annotation-document.ts, and the FHIR DocumentReference).
//
// Formula injection: a spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return, which some
// strip first) as a formula. Source labels are not ours: a Bluetooth device names itself, so a device called
// `=HYPERLINK(...)` must not become a live link in the clinician's spreadsheet. Such text cells get a leading
// apostrophe, which spreadsheets read as "this is text" (OWASP's advice). Numeric columns are written from
// numbers, so a negative value stays a number there and is not prefixed.

import type { Measurement } from '../vitals/types'
import { VITALS } from '../vitals/types'
import { type ExportSkips, exportable, measurementProblem } from './skipped'

export const CSV_HEADER = [
  'time (ISO 8601)',
  'vital',
  'LOINC',
  'value',
  'unit (UCUM)',
  'systolic',
  'diastolic',
  // Blood pressure monitors often report the mean arterial pressure too; dropping it would lose a reading.
  'mean',
  'source kind',
  'source label',
  'quality',
  // The device's own value and unit when the app converted it (kPa, °F, mmol/L): "16/10.7/12.5", "kPa".
  'device value',
  'device unit (UCUM)',
  'questionable because',
  // Where a temperature was taken, or what a glucose sample was, as the device reported.
  'site or specimen',
] as const

const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]/

/** A text cell, guarded against formula injection and quoted when RFC 4180 needs it. */
export function textCell(text: string): string {
  const guarded = FORMULA_START.test(text) ? `'${text}` : text
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded
}

/** A numeric cell: the number as JavaScript prints it (never a formula, never needs quotes), empty if absent. */
export function numberCell(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '' : String(value)
}

function row(m: Measurement): string {
  const definition = VITALS[m.kind]
  const bp = m.kind === 'blood-pressure'
  return [
    textCell(new Date(m.at).toISOString()),
    textCell(definition.label),
    textCell(definition.loinc.code),
    numberCell(bp ? undefined : m.value),
    textCell(definition.ucum),
    numberCell(bp ? m.systolic : undefined),
    numberCell(bp ? m.diastolic : undefined),
    numberCell(bp ? m.mean : undefined),
    textCell(m.source.kind),
    textCell(m.source.label),
    textCell(m.quality),
    textCell(m.sent ? m.sent.values.join('/') : ''),
    textCell(m.sent?.unit ?? ''),
    textCell(m.questionableBecause?.join('; ') ?? ''),
    textCell(m.site ?? m.specimen ?? ''),
  ].join(',')
}

/**
 * The measurements, oldest first, under CSV_HEADER. No patient name or call details in the rows: the file name
 * says which call it is, and a name repeated in every row spreads personal data further than it needs to go.
 * A measurement that cannot be written (a time no date holds, a value that is not a number) is left out and
 * counted in `skipped`; the file keeps one header and the same fields in every row, so it says nothing itself.
 */
export function toCsv(observations: readonly Measurement[], skipped?: ExportSkips): string {
  const lines = [CSV_HEADER.map(textCell).join(',')]
  const rows = exportable(observations, 'reading', measurementProblem, skipped)
  for (const m of rows.sort((a, b) => a.at - b.at)) lines.push(row(m))
  return `${lines.join('\r\n')}\r\n`
}
