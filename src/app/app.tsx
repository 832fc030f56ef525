// The DOM shell: which screen shows, from the page's phase and the invite in the URL fragment. It holds the call
// the page is in (one runtime per call: a rejoin is a new one) and hands it down.
import { useEffect, useState } from 'react'
import type { CallRuntime } from '../call/runtime'
import { inviteHoldsTogether } from '../room/credentials'
import { parseInviteFragment } from '../room/invite'
import { pageStore, usePage } from '../state/page-store'
import { openCall } from './call-controller'
import { CallView } from './call-view'
import { JoinPreview } from './join-preview'
import { Lobby } from './lobby'

/**
 * The invite in the URL fragment, into the page store. main.tsx calls it once before the first render: a page
 * opened from an invite link then never renders the lobby, whose bookings would load Dexie (about 30 KB gzip) for
 * a participant who only joins a call.
 */
export function readInviteFromLocation() {
  if (location.hash.length <= 1) {
    pageStore.getState().setInvite(null)
    return
  }
  const parsed = parseInviteFragment(location.hash)
  if (!parsed.ok) {
    pageStore.setState({ invite: null, phase: 'home', fatalError: parsed.reason })
    return
  }
  const { invite } = parsed
  pageStore.getState().setInvite(invite)
  // The join screen shows meanwhile: the check takes a few milliseconds, long before anyone has typed a name.
  // Where the check cannot run (no WebCrypto outside a secure context), joining says what is wrong instead.
  void inviteHoldsTogether(invite)
    .catch(() => true)
    .then((holds) => {
      const state = pageStore.getState()
      if (holds || state.invite !== invite || state.phase !== 'preview') return
      pageStore.setState({ invite: null, phase: 'home', fatalError: ALTERED_INVITE })
    })
}

/** An invite whose parts are well formed but do not belong together (see inviteHoldsTogether). */
const ALTERED_INVITE =
  'This invite link is damaged or was changed (its credential does not match it). Ask for the link again.'

/** After a call: why it ended (if we did not leave ourselves), and the ways on from here. */
function LeftScreen() {
  const endedBecause = usePage((s) => s.endedBecause)
  const home = () => {
    // The lobby: start another consultation, or open a past call's record.
    history.pushState(null, '', location.pathname + location.search)
    pageStore.getState().setInvite(null)
  }
  return (
    <main className="screen">
      <h1>{endedBecause ? 'The consultation ended for you' : 'You left the consultation'}</h1>
      {endedBecause && (
        <p role="status" data-testid="ended-because">
          {endedBecause}
        </p>
      )}
      <p>Your camera and microphone are off.</p>
      <div className="row">
        {!endedBecause && (
          <button
            type="button"
            className="primary"
            onClick={() => pageStore.getState().setPhase('preview')}
            data-testid="rejoin"
          >
            Rejoin
          </button>
        )}
        <button type="button" onClick={home} data-testid="start-another">
          Start another consultation
        </button>
        <button type="button" onClick={home} data-testid="past-calls-link">
          Past calls
        </button>
      </div>
    </main>
  )
}

export function App() {
  const phase = usePage((s) => s.phase)
  const fatalError = usePage((s) => s.fatalError)
  const invite = usePage((s) => s.invite)
  const [runtime, setRuntime] = useState<CallRuntime | null>(null)

  useEffect(() => {
    addEventListener('hashchange', readInviteFromLocation)
    return () => removeEventListener('hashchange', readInviteFromLocation)
  }, [])

  // A call for the invite on the join screen; a new one after leaving, or for another invite.
  const wantsCall = phase === 'preview' || phase === 'joining' || phase === 'in-call'
  useEffect(() => {
    if (!wantsCall || !invite) {
      if (runtime && !runtime.joined) void runtime.leave()
      if (runtime) setRuntime(null)
      return
    }
    if (!runtime || runtime.left || runtime.invite !== invite) {
      if (runtime && !runtime.left) void runtime.leave()
      setRuntime(openCall(invite))
    }
  }, [wantsCall, invite, runtime])

  const current = runtime && !runtime.left && runtime.invite === invite ? runtime : null
  return (
    <>
      {fatalError && phase !== 'in-call' && (
        <p className="error" role="alert" data-testid="error">
          {fatalError}
        </p>
      )}
      {phase === 'home' && <Lobby />}
      {(phase === 'preview' || phase === 'joining') && current && <JoinPreview runtime={current} />}
      {/* Mounted, hidden, from the join screen on: the 3D scene is warm when Join is clicked. */}
      {wantsCall && current && <CallView runtime={current} active={phase === 'in-call'} />}
      {phase === 'left' && <LeftScreen />}
    </>
  )
}
