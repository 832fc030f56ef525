// The start screen: create a consultation and hand out invite links.
import { useState } from 'react'
import { createRoom, inviteFragment, ROLE_LABELS, ROLES, type Role, type Room } from '../room/invite'
import { InviteLinks } from './invite-links'
import { PastCalls } from './past-calls'

export function Lobby() {
  const [room, setRoom] = useState<Room | null>(null)
  const [role, setRole] = useState<Role>('clinician')
  return (
    <main className="screen">
      <h1>XR Consult</h1>
      <p>
        Private video consultations in a headset, in browser VR or in any browser tab. Everyone joins from a
        link; video and data go directly between the participants' devices.
      </p>
      {!room ? (
        <button type="button" className="primary" data-testid="start" onClick={() => setRoom(createRoom())}>
          Start a consultation
        </button>
      ) : (
        <section aria-labelledby="invite-heading">
          <h2 id="invite-heading">Invite links</h2>
          <p>
            Send each person the link for their role. Anyone holding a link can join, so share it privately.
          </p>
          <InviteLinks room={room} />
          <form
            className="row"
            onSubmit={(event) => {
              event.preventDefault()
              location.hash = inviteFragment({ ...room, role })
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
      <PastCalls />
    </main>
  )
}
