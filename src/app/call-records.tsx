// "Past calls": the vitals and annotations this browser recorded (src/record/record.ts), with their export as FHIR,
// CSV or the annotations' JSON, and their deletion. Files are made here and saved by the browser; nothing is
// uploaded anywhere.
import { useCallback, useEffect, useState } from 'react'
import { annotationDocumentJson } from '../record/annotation-document'
import { toCsv } from '../record/csv'
import { toFhirBundle } from '../record/fhir'
import type { CallRecord, VitalsRecord } from '../record/record'
import { ExportSkips } from '../record/skipped'
import { formatTime } from '../ui/time-text'
import { ECG_SAMPLE_RATE_HZ } from '../vitals/types'

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** A date as words, or a plain "unknown date" for a value no formatter can take (a damaged record). */
const safeDate = (at: number): string => formatTime(dateFormat, at, 'unknown date')

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * `consult-2026-11-26T22-47.fhir.json`: the call's local start time (what the clinician saw on the clock), with
 * dashes for colons, which Windows does not allow in file names.
 */
export function exportFileName(
  startedAt: number,
  extension: 'fhir.json' | 'csv' | 'annotations.json',
): string {
  const d = new Date(startedAt)
  // A start no calendar can hold (a damaged record) still gets a file name rather than "NaN-NaN".
  if (Number.isNaN(d.getTime())) return `consult-unknown-time.${extension}`
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}-${pad(d.getMinutes())}`
  return `consult-${stamp}.${extension}`
}

/** "1 h 02 min", "12 min 05 s", "40 s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(seconds / 3600)
  const min = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  if (h) return `${h} h ${pad(min)} min`
  if (min) return `${min} min ${pad(s)} s`
  return `${s} s`
}

function describeError(error: unknown): string {
  return error instanceof Error && error.message ? error.message : String(error)
}

function download(text: string, type: string, fileName: string) {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  // Firefox only follows a click on a link that is in the document.
  document.body.append(link)
  link.click()
  link.remove()
  // The browser reads the blob after this task; revoking the URL at once could cut the download short.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

type Format = 'fhir' | 'csv' | 'annotations'

/** "1 annotation", "3 annotations". */
export const annotationCountText = (count: number) => `${count} ${count === 1 ? 'annotation' : 'annotations'}`

export function CallRecords({ record }: { record: VitalsRecord }) {
  const [calls, setCalls] = useState<CallRecord[] | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [confirming, setConfirming] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  /** What the last export left out, in words ("1 reading skipped: its time was invalid"). */
  const [exportNote, setExportNote] = useState<string | null>(null)

  const load = useCallback(async () => {
    try {
      setCalls(await record.listCalls())
    } catch (error) {
      setProblem(`The past calls could not be read from this browser's storage: ${describeError(error)}`)
    }
  }, [record])

  useEffect(() => {
    void load()
  }, [load])

  const exportCall = async (call: CallRecord, format: Format) => {
    setBusy(call.id)
    setProblem(null)
    setExportNote(null)
    const skipped = new ExportSkips()
    try {
      const loaded = await record.loadCall(call.id)
      if (!loaded) {
        setProblem('That call is no longer in this browser (deleted in another tab?).')
        await load()
        return
      }
      if (format === 'fhir') {
        const bundle = await toFhirBundle(loaded.call, loaded.observations, loaded.ecg, loaded.annotations, {
          exportedAt: Date.now(),
          alarmLog: loaded.alarmLog,
          skipped,
        })
        download(
          JSON.stringify(bundle, null, 2),
          'application/fhir+json',
          exportFileName(call.startedAt, 'fhir.json'),
        )
      } else if (format === 'annotations') {
        // The same document the FHIR export attaches, byte for byte.
        download(
          annotationDocumentJson(loaded.annotations, skipped),
          'application/json',
          exportFileName(call.startedAt, 'annotations.json'),
        )
      } else {
        // The byte-order mark makes Excel read the file as UTF-8 (°C, accented names); other programs ignore it.
        download(
          `\uFEFF${toCsv(loaded.observations, skipped)}`,
          'text/csv;charset=utf-8',
          exportFileName(call.startedAt, 'csv'),
        )
      }
      if (skipped.count > 0)
        setExportNote(`Exported without what it could not hold: ${skipped.sentences().join('; ')}.`)
    } catch (error) {
      setProblem(`The export failed: ${describeError(error)}`)
    } finally {
      setBusy(null)
    }
  }

  // Issue 12: the patient's identifier (MRN) for the export's Patient; without one the export says "not identified".
  const saveIdentifier = async (call: CallRecord, value: string) => {
    setProblem(null)
    try {
      await record.setPatientIdentifier(call.id, value.trim() ? { value } : null)
      await load()
    } catch (error) {
      setProblem(`The patient identifier was not saved: ${describeError(error)}`)
    }
  }

  const deleteCall = async (call: CallRecord) => {
    setBusy(call.id)
    setProblem(null)
    try {
      await record.deleteCall(call.id)
      setConfirming(null)
      await load()
    } catch (error) {
      setProblem(`The call could not be deleted: ${describeError(error)}`)
    } finally {
      setBusy(null)
    }
  }

  return (
    <section className="call-records" aria-labelledby="call-records-title" data-testid="call-records">
      <h2 id="call-records-title">Past calls</h2>
      <p className="notice">
        Kept only in this browser on this device. Exports are saved as files here; nothing is sent anywhere.
      </p>
      {problem && (
        <p className="notice error" role="alert">
          {problem}
        </p>
      )}
      {exportNote && (
        <p className="notice warning" role="status" data-testid="export-note">
          {exportNote}
        </p>
      )}
      {calls === null && !problem && <p className="loading">Reading past calls…</p>}
      {calls?.length === 0 && <p>No calls recorded in this browser yet.</p>}
      {calls && calls.length > 0 && (
        <ul data-testid="call-records-list">
          {calls.map((call) => {
            const ecgMs = (call.ecgSampleCount / ECG_SAMPLE_RATE_HZ) * 1000
            return (
              <li key={call.id} data-testid="call-record">
                <p>
                  {/* Named as a person looks for it: who, when, with whom. */}
                  <strong data-testid="call-record-title">
                    {call.patientName || 'Unnamed patient'}, {safeDate(call.startedAt)}
                  </strong>
                  {call.clinicianName ? ` · with ${call.clinicianName}` : ''} ·{' '}
                  {call.endedAt === undefined
                    ? 'no end recorded'
                    : formatDuration(call.endedAt - call.startedAt)}
                  <br />
                  {call.observationCount} {call.observationCount === 1 ? 'reading' : 'readings'}
                  {call.ecgSampleCount > 0 && ` · ${formatDuration(ecgMs)} of ECG`}
                  {call.annotationCount > 0 && ` · ${annotationCountText(call.annotationCount)}`}
                </p>
                <form
                  className="row"
                  onSubmit={(event) => {
                    event.preventDefault()
                    const input = new FormData(event.currentTarget).get('mrn')
                    void saveIdentifier(call, typeof input === 'string' ? input : '')
                  }}
                >
                  <label>
                    Patient identifier (MRN){' '}
                    <input
                      name="mrn"
                      defaultValue={call.patientIdentifier?.value ?? ''}
                      maxLength={64}
                      placeholder="not identified"
                      data-testid="call-record-mrn"
                    />
                  </label>
                  <button type="submit" disabled={busy === call.id}>
                    Save
                  </button>
                </form>
                {confirming === call.id ? (
                  <div className="row" role="alert">
                    <span>Delete this call's record from this browser? This cannot be undone.</span>
                    <button
                      type="button"
                      className="danger"
                      disabled={busy === call.id}
                      onClick={() => void deleteCall(call)}
                      data-testid="call-record-delete-confirm"
                    >
                      Delete
                    </button>
                    <button type="button" onClick={() => setConfirming(null)}>
                      Keep
                    </button>
                  </div>
                ) : (
                  <div className="row">
                    <button
                      type="button"
                      disabled={busy === call.id}
                      onClick={() => void exportCall(call, 'fhir')}
                      data-testid="call-record-fhir"
                    >
                      Export FHIR
                    </button>
                    <button
                      type="button"
                      disabled={busy === call.id}
                      onClick={() => void exportCall(call, 'csv')}
                      data-testid="call-record-csv"
                    >
                      Export CSV
                    </button>
                    {call.annotationCount > 0 && (
                      <button
                        type="button"
                        disabled={busy === call.id}
                        onClick={() => void exportCall(call, 'annotations')}
                        data-testid="call-record-annotations"
                      >
                        Export annotations (JSON)
                      </button>
                    )}
                    <button
                      type="button"
                      disabled={busy === call.id}
                      onClick={() => setConfirming(call.id)}
                      data-testid="call-record-delete"
                    >
                      Delete
                    </button>
                  </div>
                )}
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
