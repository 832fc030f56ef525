// The lobby's list of past calls with their vitals (clinicians' devices only keep one), loaded lazily with Dexie.
import { lazy, Suspense } from 'react'
import { RegionBoundary } from './region-boundary'

const Records = lazy(async () => {
  const [{ CallRecords }, { getRecord }] = await Promise.all([
    import('./call-records'),
    import('../call/recording'),
  ])
  const record = await getRecord()
  return { default: () => <CallRecords record={record} /> }
})

export function PastCalls() {
  if (typeof indexedDB === 'undefined') return null
  return (
    <RegionBoundary name="the past calls">
      <Suspense fallback={null}>
        <Records />
      </Suspense>
    </RegionBoundary>
  )
}
