// The lobby's list of past calls with their vitals (clinicians' devices only keep one), loaded lazily with Dexie.
import { lazy, Suspense, useEffect, useState } from 'react'
import { RECORD_DB_NAME } from '../record/db-name'
import { RegionBoundary } from './region-boundary'

const Records = lazy(async () => {
  const [{ CallRecords }, { getRecord }] = await Promise.all([
    import('./call-records'),
    import('../call/recording'),
  ])
  const record = await getRecord()
  return { default: () => <CallRecords record={record} /> }
})

/**
 * Whether this device may hold past calls. Only a clinician's device ever opens the record database, so on every
 * other device (a patient's, a worker's) the lobby never downloads Dexie and the exports (about 42 KB gzip) just
 * to find nothing. Where `indexedDB.databases()` is missing (older browsers), the records load as before.
 */
async function mayHoldRecords(): Promise<boolean> {
  if (typeof indexedDB.databases !== 'function') return true
  try {
    const databases = await indexedDB.databases()
    return databases.some((db) => db.name === RECORD_DB_NAME)
  } catch {
    return true
  }
}

export function PastCalls() {
  const [show, setShow] = useState(false)
  useEffect(() => {
    if (typeof indexedDB === 'undefined') return
    let live = true
    void mayHoldRecords().then((held) => {
      if (live && held) setShow(true)
    })
    return () => {
      live = false
    }
  }, [])
  if (!show) return null
  return (
    <RegionBoundary name="the past calls">
      <Suspense fallback={null}>
        <Records />
      </Suspense>
    </RegionBoundary>
  )
}
