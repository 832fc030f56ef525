// Copyable invite links, one per role. The secret rides in the fragment, which never reaches the server.
import { useState } from 'react'
import { inviteUrl, ROLE_LABELS, ROLES, type Room } from '../room/invite'

export function InviteLinks({ room }: { room: Room }) {
  const [copied, setCopied] = useState<string | null>(null)
  const base = `${location.origin}${location.pathname}`
  return (
    <ul className="invites" data-testid="invites">
      {ROLES.map((role) => {
        const url = inviteUrl(base, { ...room, role })
        return (
          <li key={role}>
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
                  .then(() => setCopied(role))
                  .catch(() => setCopied(null))
              }
            >
              {copied === role ? 'Copied' : 'Copy'}
            </button>
          </li>
        )
      })}
    </ul>
  )
}
