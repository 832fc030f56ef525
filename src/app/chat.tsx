// The call's chat: notes and instructions in writing, beside the video. Every message reaches every participant
// exactly once, including those who join or reconnect later (src/net/replication.ts). The store keeps the newest
// CHAT_KEPT messages and counts the rest, so the list has a bounded length; each row is memoised on its message
// (messages never change), so a new message renders one row, whatever the list holds.
import { type FormEvent, memo, useCallback, useEffect, useRef, useState } from 'react'
import { MAX_CHAT_LENGTH } from '../chat/wire'
import { ROLE_LABELS } from '../room/invite'
import { type ChatMessage, useCall } from '../state/call-store'
import { formatTime } from '../ui/time-text'
import { RegionBoundary } from './region-boundary'
import { useRuntime } from './runtime-context'

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

const ChatRow = memo(function ChatRow({ message }: { message: ChatMessage }) {
  return (
    <li data-testid="chat-message" className={message.mine ? 'mine' : undefined}>
      <span className="meta">
        {message.mine ? 'You' : `${message.name} (${ROLE_LABELS[message.role]})`} ·{' '}
        {formatTime(timeFormat, message.at)}
      </span>
      <span className="text">{message.text}</span>
    </li>
  )
})

/** One message that cannot be drawn is one line saying so; the rest of the chat stays. */
const SafeChatRow = memo(function SafeChatRow({ message }: { message: ChatMessage }) {
  return (
    <RegionBoundary name="a chat message" fallback={unshowable}>
      <ChatRow message={message} />
    </RegionBoundary>
  )
})

const unshowable = (
  <li data-testid="chat-message-unshowable" className="error">
    This message could not be shown.
  </li>
)

/**
 * The list follows the newest message at most this often, ms. Reading scrollHeight lays the whole list out
 * (1,000 rows of long text, under a flood), which per message was most of a flooded page's main thread; five
 * times a second still looks immediate.
 */
const SCROLL_EVERY_MS = 200

/** `run` at once, then at most once per `ms` however often it is asked for (the last ask is never lost). */
function useThrottled(run: () => void, ms: number): () => void {
  const state = useRef<{ timer: ReturnType<typeof setTimeout> | null; again: boolean }>({
    timer: null,
    again: false,
  })
  const latest = useRef(run)
  latest.current = run
  useEffect(
    () => () => {
      if (state.current.timer !== null) clearTimeout(state.current.timer)
    },
    [],
  )
  return useCallback(() => {
    const s = state.current
    if (s.timer !== null) {
      s.again = true
      return
    }
    const fire = () => {
      latest.current()
      s.timer = setTimeout(() => {
        s.timer = null
        if (s.again) {
          s.again = false
          fire()
        }
      }, ms)
    }
    fire()
  }, [ms])
}

/** "1 earlier message", "1,204 earlier messages". */
export function earlierMessagesText(count: number): string {
  return `${count.toLocaleString('en')} earlier ${count === 1 ? 'message' : 'messages'} not shown`
}

export function Chat() {
  const runtime = useRuntime()
  const chat = useCall((s) => s.chat)
  const earlier = useCall((s) => s.earlierChatCount)
  const [draft, setDraft] = useState('')
  const listRef = useRef<HTMLOListElement>(null)
  // The newest message, not the count: once the list is full a new message keeps its length.
  const newest = chat[chat.length - 1]?.id
  const scrollToNewest = useThrottled(() => {
    const list = listRef.current
    if (list) list.scrollTop = list.scrollHeight
  }, SCROLL_EVERY_MS)
  useEffect(() => {
    if (newest !== undefined) scrollToNewest()
  }, [newest, scrollToNewest])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!draft.trim()) return
    runtime.sendChat(draft)
    setDraft('')
  }

  return (
    <section className="chat" aria-label="Chat">
      {earlier > 0 && (
        <p className="hint" data-testid="chat-earlier">
          {earlierMessagesText(earlier)}
        </p>
      )}
      <ol ref={listRef} data-testid="chat-list" role="log" aria-label="Chat messages">
        {chat.map((message) => (
          <SafeChatRow key={message.id} message={message} />
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

/**
 * Said when the signalling server is away. In a consultation the call itself is fine (media and messages go
 * directly between the participants); in a large room everything goes through the Janus server, so the call is
 * interrupted here until the page has rejoined, and nothing sent meanwhile is lost.
 */
export function ServerStatus() {
  const connected = useCall((s) => s.serverConnected)
  const large = useRuntime().invite.kind === 'large'
  if (connected) return null
  return (
    <p className="notice warning" role="status" data-testid="server-status">
      {large
        ? 'The connection to the room’s server was lost. Reconnecting… Messages sent meanwhile arrive once it is back.'
        : 'The consultation server cannot be reached. This call continues; nobody new can join until it is back.'}
    </p>
  )
}
