// What a clinician needs inside VR or AR so as never to take the headset off (issue 11): an alarm banner above the
// video panels, with Acknowledge, Silence 2 min and the silence's countdown; and a side panel, to the left, with the
// participants and their connection in words, and the chat's last messages with a few quick replies. Everything is
// drawn with uikit, reachable by a controller ray or a hand pinch, from the same plain-TS state the DOM shows
// (the call's alarm boards, the call store), so acting in either shows in both.
import { Container, Text } from '@react-three/uikit'
import { useXR } from '@react-three/xr'
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import { ROLE_LABELS } from '../room/invite'
import { type ChatMessage, useCall, useParticipantIds } from '../state/call-store'
import { usePage } from '../state/page-store'
import { qualityWords } from '../ui/quality-text'
import { ALARM_VISUAL, DEFAULT_AUDIO_PAUSE_MS } from '../vitals/alarms'
import type { HeadsetAlarm, HeadsetView } from './headset-view'
import { facingUser, SIDE_PANEL_WIDTH, sidePanelPosition } from './panel-layout'
import { uiFontFamilies } from './ui-font'
import { drawableText } from './ui-text'
import { usePanelMonitors } from './video-panel'

/**
 * Above the video panels (their top edge is about 1.7 m high, 1.35 m out), centred: where the eyes already are,
 * without covering a face. Metres.
 */
const BANNER_POSITION: [number, number, number] = [0, 1.93, -1.3]
/** Chat messages the side panel shows, the newest: a glance, not a history (the tab has that). */
const CHAT_SHOWN = 4
/** Quick replies from inside the headset, where there is no keyboard. */
export const QUICK_REPLIES = ['Yes', 'No', 'One moment', 'Please repeat'] as const
/** How often the alarms are read from the boards, ms: as often as the DOM's panel does. */
const ALARM_TICK_MS = 250
/** Text colour on each alarm colour: dark on yellow and cyan, white on red, for contrast. */
const ALARM_TEXT: Record<HeadsetAlarm['priority'], string> = {
  high: '#ffffff',
  medium: '#111111',
  low: '#111111',
}

/** Names a uikit component's object, so the scene probe (and so the tests) can find it. */
function named(name: string) {
  return (component: { name: string } | null) => {
    if (component) component.name = name
  }
}

interface ButtonProps {
  label: string
  onClick: () => void
  name: string
  fontSize?: number
}

function PanelButton({ label, onClick, name, fontSize = 24 }: ButtonProps) {
  return (
    <Container
      ref={named(name)}
      onClick={onClick}
      backgroundColor="#2b4250"
      hover={{ backgroundColor: '#3c5a6c' }}
      borderRadius={14}
      paddingX={18}
      paddingY={10}
      cursor="pointer"
    >
      <Text fontSize={fontSize} color="#ffffff">
        {label}
      </Text>
    </Container>
  )
}

/** The boards' alarms, re-read four times a second; a new list only when something shown changed. */
function useHeadsetAlarms(view: HeadsetView): { alarms: HeadsetAlarm[]; silencedUntil: number | null } {
  const [shown, setShown] = useState<{ alarms: HeadsetAlarm[]; silencedUntil: number | null }>({
    alarms: [],
    silencedUntil: null,
  })
  useEffect(() => {
    let signature = ''
    const read = () => {
      const now = Date.now()
      const alarms = view.alarms.active(now)
      const silencedUntil = view.alarms.silencedUntil(now)
      const next = JSON.stringify([
        silencedUntil,
        alarms.map((a) => [a.peerId, a.kind, a.priority, a.condition, a.acknowledged, a.message]),
      ])
      if (next === signature) return
      signature = next
      setShown({ alarms, silencedUntil })
    }
    read()
    const timer = setInterval(read, ALARM_TICK_MS)
    return () => clearInterval(timer)
  }, [view])
  return shown
}

/** "Alarm tones paused: 1:45 left", as in the tab, ticking each second while a silence lasts. */
function SilenceCountdown({ until }: { until: number }) {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  const left = Math.max(0, Math.ceil((until - now) / 1000))
  if (left === 0) return null
  return (
    <Container ref={named('xr-silence-countdown')}>
      <Text fontSize={30} color="#ffd500">
        {`Alarm tones paused: ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left. Visual alarms stay on.`}
      </Text>
    </Container>
  )
}

function AlarmRow({ alarm, view }: { alarm: HeadsetAlarm; view: HeadsetView }) {
  const name = useCall((s) => s.participants[alarm.peerId]?.name ?? '')
  const visual = ALARM_VISUAL[alarm.priority]
  const text = drawableText(`${name}: ${alarm.message}${alarm.acknowledged ? ' (acknowledged)' : ''}`)
  return (
    <Container
      ref={named(`xr-alarm:${alarm.kind}`)}
      flexDirection="row"
      alignItems="center"
      gap={16}
      paddingX={16}
      paddingY={8}
      borderRadius={12}
      // Acknowledged alarms keep their colour as a border only: still shown, no longer shouting.
      backgroundColor={alarm.acknowledged ? '#1b262d' : visual.colour}
      borderWidth={4}
      borderColor={visual.colour}
    >
      {/* A fixed width: the value in the text changes every second, and a button that moved with it would slip
          from under the ray aimed at it. */}
      <Text fontSize={36} color={alarm.acknowledged ? '#e8eef2' : ALARM_TEXT[alarm.priority]} width={760}>
        {text}
      </Text>
      {!alarm.acknowledged && (
        <PanelButton
          name={`xr-alarm-ack:${alarm.kind}`}
          label="Acknowledge"
          fontSize={30}
          onClick={() => view.alarms.boardFor(alarm.peerId).acknowledge(alarm.kind, Date.now())}
        />
      )}
    </Container>
  )
}

/** The alarms of every patient who shares vitals, highest priority first, while any shows. */
export function XrAlarmBanner({ view }: { view: HeadsetView }) {
  const session = useXR((s) => s.session)
  const role = usePage((s) => s.invite?.role)
  const { alarms, silencedUntil } = useHeadsetAlarms(view)
  // As in the tab: the patient is not shown alarms about themselves.
  if (!session || role === 'patient' || (alarms.length === 0 && silencedUntil === null)) return null
  return (
    <group name="xr-alarm-banner" position={BANNER_POSITION} rotation={facingUser(BANNER_POSITION)}>
      <Container
        pixelSize={0.001}
        fontFamilies={uiFontFamilies}
        flexDirection="column"
        alignItems="center"
        gap={10}
        padding={14}
        backgroundColor="#0f1a20"
        borderRadius={20}
      >
        {alarms.map((alarm) => (
          <AlarmRow key={`${alarm.peerId}:${alarm.kind}:${alarm.condition}`} alarm={alarm} view={view} />
        ))}
        <Container flexDirection="row" alignItems="center" gap={16}>
          {alarms.length > 0 && (
            <PanelButton
              name="xr-alarm-silence"
              label="Silence 2 min"
              fontSize={30}
              onClick={() => view.alarms.silenceAll(DEFAULT_AUDIO_PAUSE_MS, Date.now())}
            />
          )}
          {silencedUntil !== null && <SilenceCountdown until={silencedUntil} />}
        </Container>
      </Container>
    </group>
  )
}

const STATUS_WORDS: Record<string, string> = {
  connecting: 'connecting',
  waiting: 'in the waiting room',
  reconnecting: 'reconnecting',
  gone: 'gone',
}

function ParticipantLine({ peerId }: { peerId: string }) {
  const name = useCall((s) => s.participants[peerId]?.name ?? '')
  const role = useCall((s) => s.participants[peerId]?.role ?? 'patient')
  const status = useCall((s) => s.participants[peerId]?.status ?? 'connecting')
  const muted = useCall((s) => s.participants[peerId]?.muted ?? false)
  // Strings, not the quality object, are selected (a new object per call would make zustand loop), so a sample
  // that changes nothing visible re-renders nothing.
  const qualityText = useCall((s) => {
    const p = s.participants[peerId]
    return p?.quality ? qualityWords(p.quality, { videoExpected: !p.cameraOff }).text : null
  })
  const level = useCall((s) => {
    const p = s.participants[peerId]
    return p?.quality ? qualityWords(p.quality, { videoExpected: !p.cameraOff }).level : 'good'
  })
  const words = status === 'connected' ? (qualityText ?? 'Connected') : (STATUS_WORDS[status] ?? status)
  return (
    <Container ref={named(`xr-participant:${peerId}`)} flexDirection="column" gap={2}>
      <Text fontSize={24} color="#f4f7f9">
        {drawableText(`${name} (${ROLE_LABELS[role]})${muted ? ' - muted' : ''}`)}
      </Text>
      <Text fontSize={20} color={level === 'good' ? '#b7c6cf' : '#ffb74d'}>
        {drawableText(words)}
      </Text>
    </Container>
  )
}

function ChatLine({ message }: { message: ChatMessage }) {
  const who = message.mine ? 'You' : message.name
  return (
    <Container ref={named(`xr-chat-message:${message.id}`)} flexDirection="column">
      <Text fontSize={18} color="#9fb0bb">
        {drawableText(who)}
      </Text>
      <Text fontSize={22} color="#f4f7f9" maxWidth={440}>
        {drawableText(message.text)}
      </Text>
    </Container>
  )
}

/** The patient's screening answers, in a line each (PHQ-9 with its score), once there are any. */
function ScreeningLines({ view }: { view: HeadsetView }) {
  const lines = useSyncExternalStore(view.screening.subscribe, view.screening.lines)
  if (lines.length === 0) return null
  return (
    <>
      <Container height={2} backgroundColor="#2b4250" />
      <Text fontSize={26} color="#ffffff">
        Screening
      </Text>
      <Container ref={named('xr-screening')} flexDirection="column" gap={6}>
        {lines.map((line) => (
          <Text key={line} fontSize={20} color={line.includes('item 9') ? '#ffb4a8' : '#d7e3ea'}>
            {drawableText(line)}
          </Text>
        ))}
      </Container>
    </>
  )
}

/**
 * The participants, the screening answers and the chat, to the user's left: a glance aside while the
 * consultation's panels leave room, else beyond their arc's left end (sidePanelPosition); `ofArc`: beyond a large
 * room's tiles.
 */
export function XrSidePanel({ view, ofArc = false }: { view: HeadsetView; ofArc?: boolean }) {
  const session = useXR((s) => s.session)
  const peerIds = useParticipantIds()
  // The same seats as the consultation's arc (RemotePanels lays it out from these), so the two never disagree.
  const monitors = usePanelMonitors()
  const position = useMemo(() => sidePanelPosition(monitors, ofArc), [monitors, ofArc])
  const chat = useCall((s) => s.chat)
  const [sent, setSent] = useState<string | null>(null)
  if (!session) return null
  const shown = chat.slice(-CHAT_SHOWN)
  return (
    <group name="xr-side-panel" position={position} rotation={facingUser(position)}>
      <Container
        ref={named('xr-side-panel-box')}
        pixelSize={0.001}
        fontFamilies={uiFontFamilies}
        flexDirection="column"
        width={SIDE_PANEL_WIDTH * 1000}
        gap={12}
        padding={18}
        backgroundColor="#0f1a20"
        borderRadius={20}
      >
        <Text fontSize={26} color="#ffffff">
          In the call
        </Text>
        <Container ref={named('xr-participants')} flexDirection="column" gap={8}>
          {peerIds.length === 0 ? (
            <Text fontSize={22} color="#b7c6cf">
              Waiting for the others to join...
            </Text>
          ) : (
            peerIds.map((peerId) => <ParticipantLine key={peerId} peerId={peerId} />)
          )}
        </Container>
        <ScreeningLines view={view} />
        <Container height={2} backgroundColor="#2b4250" />
        <Text fontSize={26} color="#ffffff">
          Chat
        </Text>
        <Container ref={named('xr-chat')} flexDirection="column" gap={8}>
          {shown.length === 0 ? (
            <Text fontSize={20} color="#b7c6cf">
              No messages yet.
            </Text>
          ) : (
            shown.map((message) => <ChatLine key={message.id} message={message} />)
          )}
        </Container>
        <Container flexDirection="row" flexWrap="wrap" gap={8}>
          {QUICK_REPLIES.map((reply) => (
            <PanelButton
              key={reply}
              name={`xr-reply:${reply}`}
              label={reply}
              fontSize={22}
              onClick={() => {
                view.sendChat(reply)
                setSent(reply)
              }}
            />
          ))}
        </Container>
        {sent && (
          <Text fontSize={18} color="#9fb0bb">
            {`Sent "${sent}".`}
          </Text>
        )}
      </Container>
    </group>
  )
}
