// The DOM shell: which screen shows, from the store's phase and the invite in the URL fragment.
import { useEffect } from 'react'
import { parseInviteFragment } from '../room/invite'
import { consultStore, useConsult } from '../state/store'
import { CallView } from './call-view'
import { JoinPreview } from './join-preview'
import { Lobby } from './lobby'

function readInviteFromLocation() {
  if (location.hash.length <= 1) {
    consultStore.getState().setInvite(null)
    return
  }
  const parsed = parseInviteFragment(location.hash)
  if (parsed.ok) consultStore.getState().setInvite(parsed.invite)
  else consultStore.setState({ invite: null, phase: 'home', fatalError: parsed.reason })
}

export function App() {
  const phase = useConsult((s) => s.phase)
  const fatalError = useConsult((s) => s.fatalError)

  useEffect(() => {
    readInviteFromLocation()
    addEventListener('hashchange', readInviteFromLocation)
    return () => removeEventListener('hashchange', readInviteFromLocation)
  }, [])

  return (
    <>
      {fatalError && phase !== 'in-call' && (
        <p className="error" role="alert" data-testid="error">
          {fatalError}
        </p>
      )}
      {phase === 'home' && <Lobby />}
      {(phase === 'preview' || phase === 'joining') && <JoinPreview />}
      {/* Mounted, hidden, from the join screen on: the 3D scene is warm when Join is clicked. */}
      {(phase === 'preview' || phase === 'joining' || phase === 'in-call') && (
        <CallView active={phase === 'in-call'} />
      )}
      {phase === 'left' && (
        <main className="screen">
          <h1>You left the consultation</h1>
          <p>Your camera and microphone are off.</p>
          <button type="button" onClick={() => consultStore.getState().setPhase('preview')}>
            Rejoin
          </button>
        </main>
      )}
    </>
  )
}
