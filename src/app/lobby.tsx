// The start screen: create a consultation and hand out invite links.
import { lazy, Suspense, useEffect, useState } from 'react'
import { SCREENING_IDS, type ScreeningId, SHIPPED_QUESTIONNAIRES } from '../care/questionnaires'
import { createConsultation } from '../room/credentials'
import {
  type Invite,
  inviteFragment,
  LARGE_ROOM_CAPACITY,
  ROLE_LABELS,
  ROLES,
  ROOM_CAPACITY,
  type Role,
  type RoomKind,
} from '../room/invite'
import { MyAftercarePlans } from './aftercare'
import { largeRoomsAvailable } from './call-controller'
import { InviteLinks, rememberInvites } from './invite-links'
import { PastCalls } from './past-calls'
import { RegionBoundary } from './region-boundary'

// Loaded after the lobby (with Dexie, as the past calls are): the first screen stays small.
const Schedule = lazy(async () => ({ default: (await import('./schedule')).Schedule }))

export function Lobby() {
  const [invites, setInvites] = useState<Record<Role, Invite> | null>(null)
  const [starting, setStarting] = useState(false)
  const [waitingRoom, setWaitingRoom] = useState(false)
  const [screening, setScreening] = useState<ScreeningId[]>([])
  const [role, setRole] = useState<Role>('clinician')
  const [kind, setKind] = useState<RoomKind>('consultation')
  // Unknown until /config.json answers: offered only by a server that names a Janus server.
  const [largeOffered, setLargeOffered] = useState(false)
  useEffect(() => {
    let live = true
    void largeRoomsAvailable().then((available) => {
      if (live) setLargeOffered(available)
    })
    return () => {
      live = false
    }
  }, [])
  const start = async () => {
    setStarting(true)
    try {
      // The room's signing key stays on this device; every invite carries a credential it signed.
      const { invites: made } = await createConsultation({
        waitingRoom,
        screening,
        kind: largeOffered ? kind : 'consultation',
      })
      rememberInvites(made)
      setInvites(made)
    } finally {
      setStarting(false)
    }
  }
  return (
    <main className="screen">
      <h1>XR Consult</h1>
      <p>
        Private video consultations in a headset, in browser VR or in any browser tab. Everyone joins from a
        link; video and data go directly between the participants' devices.
      </p>
      {!invites && (
        <fieldset className="option room-kind" data-testid="room-kind">
          <legend>Room</legend>
          <label>
            <input
              type="radio"
              name="room-kind"
              checked={kind === 'consultation' || !largeOffered}
              onChange={() => setKind('consultation')}
              data-testid="room-kind-consultation"
            />{' '}
            Consultation (up to {ROOM_CAPACITY})
          </label>
          <label>
            <input
              type="radio"
              name="room-kind"
              checked={kind === 'large' && largeOffered}
              disabled={!largeOffered}
              onChange={() => setKind('large')}
              aria-describedby={largeOffered ? undefined : 'large-room-why'}
              data-testid="room-kind-large"
            />{' '}
            Large room (up to {LARGE_ROOM_CAPACITY}, needs Janus)
          </label>
          {!largeOffered && (
            <p className="hint" id="large-room-why" data-testid="large-room-why">
              A large room needs a Janus media server, and this server has none: start it with JANUS_URLS set.
            </p>
          )}
        </fieldset>
      )}
      {!invites && (
        <label className="option">
          <input
            type="checkbox"
            checked={waitingRoom}
            onChange={(event) => setWaitingRoom(event.currentTarget.checked)}
            data-testid="waiting-room-option"
          />{' '}
          The patient waits in a waiting room until I let them in
        </label>
      )}
      {!invites && (
        <fieldset className="option screening-choice" data-testid="screening-choice">
          <legend>Before the call, the patient answers</legend>
          {SCREENING_IDS.map((id) => (
            <label key={id}>
              <input
                type="checkbox"
                checked={screening.includes(id)}
                onChange={(event) => {
                  const on = event.currentTarget.checked
                  setScreening((now) => SCREENING_IDS.filter((s) => (s === id ? on : now.includes(s))))
                }}
                data-testid={`screening-option-${id}`}
              />{' '}
              {SHIPPED_QUESTIONNAIRES[id].label}
            </label>
          ))}
        </fieldset>
      )}
      {!invites ? (
        <button
          type="button"
          className="primary"
          data-testid="start"
          disabled={starting}
          onClick={() => void start()}
        >
          {kind === 'large' && largeOffered ? 'Start a large room' : 'Start a consultation'}
        </button>
      ) : (
        <section aria-labelledby="invite-heading">
          <h2 id="invite-heading">Invite links</h2>
          <p>
            Send each person the link for their role. Anyone holding a link can join, so share it privately.
          </p>
          <InviteLinks invites={ROLES.map((r) => invites[r])} />
          <form
            className="row"
            onSubmit={(event) => {
              event.preventDefault()
              location.hash = inviteFragment(invites[role])
            }}
          >
            <label>
              I join as{' '}
              <select
                value={role}
                onChange={(e) => setRole(e.currentTarget.value as Role)}
                data-testid="own-role"
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {ROLE_LABELS[r]}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="primary" data-testid="continue">
              Continue
            </button>
          </form>
        </section>
      )}
      <RegionBoundary name="the bookings">
        <Suspense fallback={null}>
          <Schedule waitingRoom={waitingRoom} screening={screening} showForm={!invites} />
        </Suspense>
      </RegionBoundary>
      <RegionBoundary name="your aftercare plans">
        <MyAftercarePlans />
      </RegionBoundary>
      <PastCalls />
    </main>
  )
}
