// Copyable invite links, one per invite. The secret and the credential ride in the fragment, which never reaches
// the server. Who starts a consultation keeps its invites on this device, so they can be handed out again from
// inside the call; anyone else can only pass on their own link (to rejoin from another device).
import { useState } from 'react'
import { type Invite, inviteUrl, ROLE_LABELS, type Role } from '../room/invite'

const STORE_PREFIX = 'xr-consult:invites:'

/** Keeps the invites of a consultation started on this device (the room key stays with them, in this browser). */
export function rememberInvites(invites: Record<Role, Invite>) {
  const first = Object.values(invites)[0]
  if (!first) return
  try {
    localStorage.setItem(STORE_PREFIX + first.roomId, JSON.stringify(invites))
  } catch {
    // Storage full or refused: the links are still on screen to copy now.
  }
}

/** The invites this device may hand out for `own`'s room: all of them if it started the room, else `own`. */
export function invitesToShare(own: Invite): Invite[] {
  try {
    const stored = JSON.parse(localStorage.getItem(STORE_PREFIX + own.roomId) ?? 'null') as Record<
      Role,
      Invite
    > | null
    if (stored && Object.values(stored).every((invite) => invite.roomId === own.roomId))
      return Object.values(stored)
  } catch {
    // Unreadable: fall back to our own link.
  }
  return [own]
}

export function InviteLinks({ invites }: { invites: readonly Invite[] }) {
  const [copied, setCopied] = useState<string | null>(null)
  const base = `${location.origin}${location.pathname}`
  return (
    <ul className="invites" data-testid="invites">
      {invites.map((invite) => {
        const url = inviteUrl(base, invite)
        const { role } = invite
        return (
          <li key={invite.credential.key}>
            <label>
              <span>{ROLE_LABELS[role]}</span>
              <input
                readOnly
                value={url}
                data-testid={`invite-${role}`}
                onFocus={(e) => e.currentTarget.select()}
              />
            </label>
            <button
              type="button"
              onClick={() =>
                navigator.clipboard
                  ?.writeText(url)
                  .then(() => setCopied(invite.credential.key))
                  .catch(() => setCopied(null))
              }
            >
              {copied === invite.credential.key ? 'Copied' : 'Copy'}
            </button>
          </li>
        )
      })}
    </ul>
  )
}
