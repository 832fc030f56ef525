// The vitals monitor in the DOM, for screen readers and for anyone not looking at the 3D view: the same model as
// the 3D panel (src/vitals/monitor.ts), one table per participant who shares vitals. It mounts once; after that
// the cells are written directly (a subscription to the feed and a 500 ms tick for staleness), so streaming vitals
// cause no React commits.
import { useEffect, useRef } from 'react'
import type { VitalsFeed } from '../vitals/feed'
import { buildMonitorModel, type MonitorInputs } from '../vitals/monitor'
import { VITAL_KINDS, VITALS } from '../vitals/types'

export interface VitalsTableProps {
  feed: VitalsFeed
  peerId: string
  name: string
  inputs: (peerId: string, now: number) => MonitorInputs
}

/** How often staleness and alarm phases are re-read without a new message, ms. */
const TICK_MS = 500

export function VitalsTable({ feed, peerId, name, inputs }: VitalsTableProps) {
  const sectionRef = useRef<HTMLElement>(null)
  useEffect(() => {
    const section = sectionRef.current
    if (!section) return
    const problem = section.querySelector<HTMLElement>('[data-role="problem"]')
    // The cells are written outside React, so its error boundary never sees a failure here: catch it, say so in
    // the table, and try again at the next reading or tick.
    const update = () => {
      try {
        write()
        if (problem) problem.hidden = true
      } catch (error) {
        console.warn('the vitals table could not be updated', error)
        if (problem) problem.hidden = false
      }
    }
    const write = () => {
      const patient = feed.get(peerId)
      section.hidden = !patient
      if (!patient) return
      const model = buildMonitorModel(name, patient, inputs(peerId, Date.now()))
      const stopped = section.querySelector<HTMLElement>('[data-role="stopped"]')
      if (stopped) stopped.hidden = !model.stopped
      for (const tile of model.tiles) {
        const row = section.querySelector<HTMLElement>(`tr[data-vital="${tile.kind}"]`)
        if (!row) continue
        row.dataset.alarm = tile.alarm ?? ''
        row.dataset.stale = String(tile.stale)
        const cell = (role: string) => row.querySelector<HTMLElement>(`[data-role="${role}"]`)
        const set = (role: string, text: string) => {
          const element = cell(role)
          if (element && element.textContent !== text) element.textContent = text
        }
        set('value', tile.valueText)
        set('limits', `${tile.limits.low}–${tile.limits.high}`)
        set(
          'status',
          [
            tile.alarm ? `${tile.alarm} priority alarm` : '',
            tile.stale ? 'no update for 5 s' : '',
            tile.questionable ? 'questionable' : '',
            tile.sentText ? `measured as ${tile.sentText}` : '',
            tile.ageText ?? '',
          ]
            .filter(Boolean)
            .join(', '),
        )
        set('source', tile.sourceText)
      }
    }
    update()
    const unsubscribe = feed.subscribe((from) => {
      if (from === peerId) update()
    })
    const timer = setInterval(update, TICK_MS)
    return () => {
      unsubscribe()
      clearInterval(timer)
    }
  }, [feed, peerId, name, inputs])

  return (
    <section ref={sectionRef} className="vitals" data-testid="vitals-table" data-peer={peerId} hidden>
      <h3>
        Vitals: {name}{' '}
        <span data-role="stopped" className="stopped" hidden>
          (sharing stopped)
        </span>
      </h3>
      <p data-role="problem" className="error" role="alert" hidden>
        These vitals could not be shown: a value was not valid. Trying again with the next reading.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Vital</th>
            <th scope="col">Value</th>
            <th scope="col">Limits</th>
            <th scope="col">Status</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {VITAL_KINDS.map((kind) => (
            <tr key={kind} data-vital={kind} data-testid={`vital-${kind}`}>
              <th scope="row">{VITALS[kind].label}</th>
              <td>
                <span data-role="value">--</span> {VITALS[kind].unitLabel}
              </td>
              <td data-role="limits" />
              <td data-role="status" />
              <td data-role="source" />
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
