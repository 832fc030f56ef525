// The call's chat: notes and instructions in writing, beside the video. Every message reaches every participant
// exactly once, including those who join or reconnect later (src/net/replication.ts).
import { type FormEvent, useEffect, useRef, useState } from 'react'
import { MAX_CHAT_LENGTH } from '../chat/wire'
import { ROLE_LABELS } from '../room/invite'
import { useCall } from '../state/call-store'
import { formatTime } from '../ui/time-text'
import { useRuntime } from './runtime-context'

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

export function Chat() {
  const runtime = useRuntime()
  const chat = useCall((s) => s.chat)
  const [draft, setDraft] = useState('')
  const listRef = useRef<HTMLOListElement>(null)
  useEffect(() => {
    const list = listRef.current
    if (list) list.scrollTop = list.scrollHeight
  }, [chat.length])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!draft.trim()) return
    runtime.sendChat(draft)
    setDraft('')
  }

  return (
    <section className="chat" aria-label="Chat">
      <ol ref={listRef} data-testid="chat-list" aria-live="polite">
        {chat.map((message) => (
          <li key={message.id} data-testid="chat-message" className={message.mine ? 'mine' : undefined}>
            <span className="meta">
              {message.mine ? 'You' : `${message.name} (${ROLE_LABELS[message.role]})`} ·{' '}
              {formatTime(timeFormat, message.at)}
            </span>
            <span className="text">{message.text}</span>
          </li>
        ))}
      </ol>
      <form onSubmit={submit}>
        <input
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          maxLength={MAX_CHAT_LENGTH}
          placeholder="Write a message"
          aria-label="Message"
          data-testid="chat-input"
        />
        <button type="submit" data-testid="chat-send" disabled={!draft.trim()}>
          Send
        </button>
      </form>
    </section>
  )
}

/** Said when the PeerServer is away: the call itself is fine. */
export function ServerStatus() {
  const connected = useCall((s) => s.serverConnected)
  if (connected) return null
  return (
    <p className="notice warning" role="status" data-testid="server-status">
      The consultation server cannot be reached. This call continues; nobody new can join until it is back.
    </p>
  )
}
