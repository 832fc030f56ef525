// The browser half of e2e/e2ee.e2e.ts: the SFU path's end-to-end encryption on real WebRTC, without Janus. One
// presenter sends the fake camera and microphone, encrypted with its room's media key (src/net/sfu-e2ee.ts), over
// two loopback connections in this page: to a participant holding the same invite ('right'), and to one who
// entered the room without the secret ('wrong': same room id, another secret, as someone holding only the Janus
// PIN would). Each participant has its own SfuE2ee, so its own worker and keys, as separate pages would. The
// presenter also sends one sealed app message on a data channel to each.
import { EVERYONE, MessageOpener, MessageSealer, type OpenResult } from '../../src/net/sfu-crypto'
import { e2eeSupport, preferVp8, SfuE2ee, type TransformStats } from '../../src/net/sfu-e2ee'
import { createRoom, type Room } from '../../src/room/invite'

type Who = 'right' | 'wrong'

interface Receiver {
  pc: RTCPeerConnection
  e2ee: SfuE2ee
  video: HTMLVideoElement
  /** Video frames the element presented (requestVideoFrameCallback). */
  presented: number
  messages: OpenResult[]
}

export interface E2eeProbe {
  support: string
  /** The presenter's sealed message, as sent to both. */
  message: string
  /** inbound-rtp video of a receiver: what arrived and what the decoder made of it. */
  inbound(who: Who): Promise<{ packetsReceived: number; framesDecoded: number; bytesReceived: number }>
  presented(who: Who): number
  messages(who: Who): OpenResult[]
  /** Frames the workers passed and dropped: the presenter's ('sender') and each receiver's. */
  transformStats(who: Who | 'sender'): Promise<Record<string, TransformStats>>
  /** Pixels that differ between the receiver's frame now and its frame a few presented frames later. */
  pixelsChange(who: Who): Promise<{ changed: number; greenDominant: boolean }>
  /** Sends the same sealed bytes to `who` again (what a replaying SFU would do). */
  replay(who: Who): void
}

declare global {
  interface Window {
    __e2ee?: E2eeProbe
    __e2eeError?: string
  }
}

const MESSAGE = 'Vitals: HR 72 /min, SpO2 98 %'

function videoElement(id: Who): HTMLVideoElement {
  const element = document.getElementById(id)
  if (!(element instanceof HTMLVideoElement)) throw new Error(`no video #${id}`)
  return element
}

/** Offer, answer and candidates straight from one connection to the other: no server, no ICE servers. */
async function connect(from: RTCPeerConnection, to: RTCPeerConnection) {
  from.onicecandidate = ({ candidate }) => candidate && void to.addIceCandidate(candidate)
  to.onicecandidate = ({ candidate }) => candidate && void from.addIceCandidate(candidate)
  await from.setLocalDescription()
  await to.setRemoteDescription(from.localDescription as RTCSessionDescription)
  await to.setLocalDescription()
  await from.setRemoteDescription(to.localDescription as RTCSessionDescription)
}

async function link(
  presenter: SfuE2ee,
  sealer: MessageSealer,
  camera: MediaStream,
  who: Who,
  room: Room,
): Promise<{ receiver: Receiver; sent: Uint8Array<ArrayBuffer>; channel: RTCDataChannel }> {
  const send = new RTCPeerConnection({ iceServers: [] })
  const pc = new RTCPeerConnection({ iceServers: [] })
  const receiver: Receiver = {
    pc,
    e2ee: await SfuE2ee.start(room),
    video: videoElement(who),
    presented: 0,
    messages: [],
  }
  for (const track of camera.getTracks()) {
    const transceiver = send.addTransceiver(track, { direction: 'sendonly', streams: [camera] })
    if (track.kind === 'video') preferVp8(transceiver)
    presenter.protectSender(transceiver.sender)
  }
  // ontrack fires while the offer is applied, long before media can flow (ICE and DTLS come after the answer),
  // so no frame reaches a decoder before the receiver's transform is in place.
  pc.ontrack = ({ receiver: rtpReceiver, track, streams }) => {
    receiver.e2ee.protectReceiver(rtpReceiver)
    if (track.kind !== 'video') return
    receiver.video.srcObject = streams[0] ?? new MediaStream([track])
    const count = () => {
      receiver.presented++
      receiver.video.requestVideoFrameCallback(count)
    }
    receiver.video.requestVideoFrameCallback(count)
  }
  const opener = new MessageOpener(room, `${who}-session`)
  pc.ondatachannel = ({ channel }) => {
    channel.binaryType = 'arraybuffer'
    channel.onmessage = async ({ data }) => {
      receiver.messages.push(await opener.open(data))
    }
  }
  const channel = send.createDataChannel('app', { ordered: true })
  await connect(send, pc)
  const sent = await sealer.seal(EVERYONE, MESSAGE)
  await new Promise<void>((resolve) => {
    channel.onopen = () => resolve()
    if (channel.readyState === 'open') resolve()
  })
  channel.send(sent)
  return { receiver, sent, channel }
}

async function start(): Promise<E2eeProbe> {
  const room = createRoom()
  // Someone who found the room (its id, the Janus PIN) but has no secret: every key they derive is another.
  const outsider: Room = { roomId: room.roomId, secret: createRoom().secret }
  const camera = await navigator.mediaDevices.getUserMedia({ video: true, audio: true })
  const presenter = await SfuE2ee.start(room)
  const sealer = new MessageSealer(room, 'presenter-session')
  const links = {
    right: await link(presenter, sealer, camera, 'right', room),
    wrong: await link(presenter, sealer, camera, 'wrong', outsider),
  }
  const canvas = document.createElement('canvas')
  canvas.width = 160
  canvas.height = 120
  const context = canvas.getContext('2d', { willReadFrequently: true })
  if (!context) throw new Error('no 2D canvas')
  const grab = (video: HTMLVideoElement) => {
    context.drawImage(video, 0, 0, canvas.width, canvas.height)
    return context.getImageData(0, 0, canvas.width, canvas.height).data
  }
  return {
    support: e2eeSupport(),
    message: MESSAGE,
    async inbound(who) {
      const report = await links[who].receiver.pc.getStats()
      for (const entry of report.values()) {
        if (entry.type === 'inbound-rtp' && entry.kind === 'video') {
          return {
            packetsReceived: entry.packetsReceived ?? 0,
            framesDecoded: entry.framesDecoded ?? 0,
            bytesReceived: entry.bytesReceived ?? 0,
          }
        }
      }
      return { packetsReceived: 0, framesDecoded: 0, bytesReceived: 0 }
    },
    presented: (who) => links[who].receiver.presented,
    messages: (who) => links[who].receiver.messages,
    transformStats: (who) => (who === 'sender' ? presenter.stats() : links[who].receiver.e2ee.stats()),
    async pixelsChange(who) {
      const { receiver } = links[who]
      const before = grab(receiver.video)
      const target = receiver.presented + 5
      await new Promise<void>((resolve) => {
        const check = () => (receiver.presented >= target ? resolve() : requestAnimationFrame(check))
        check()
      })
      const after = grab(receiver.video)
      let changed = 0
      let green = 0
      for (let i = 0; i < after.length; i += 4) {
        const [r, g, b] = [after[i] ?? 0, after[i + 1] ?? 0, after[i + 2] ?? 0]
        if (
          Math.abs(r - (before[i] ?? 0)) +
            Math.abs(g - (before[i + 1] ?? 0)) +
            Math.abs(b - (before[i + 2] ?? 0)) >
          30
        ) {
          changed++
        }
        if (g > r + 20 && g > b + 20) green++
      }
      // The fake camera's frame is mostly green (see /work/shared/PLATFORM-NOTES.md).
      return { changed, greenDominant: green > after.length / 4 / 2 }
    },
    replay(who) {
      links[who].channel.send(links[who].sent)
    },
  }
}

start().then(
  (probe) => {
    window.__e2ee = probe
  },
  (error: unknown) => {
    window.__e2eeError = String(error)
  },
)
