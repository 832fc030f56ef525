// Opens, joins and leaves calls: the glue between the DOM shell, the page's store and the call runtime. No
// React here. The page holds at most one runtime at a time, in the App component's state, and hands it down.
import { CallRuntime } from '../call/runtime'
import { playbackMeter } from '../lib/playback'
import {
  acquireLocalMedia,
  describeMediaFailureInCall,
  LocalMediaError,
  type MediaMode,
} from '../media/local-media'
import { NoJanusError, ServerUnreachableError } from '../net/errors'
import { janusRoomAccess } from '../net/janus-room'
import { PeerJsTransport } from '../net/peerjs-transport'
import { loadServerConfig, peerServerOptions, type ServerConfig } from '../net/server-config'
import type { MeshTransport } from '../net/transport'
import { type Invite, ROLES, type Role, type Room } from '../room/invite'
import { pageStore } from '../state/page-store'
import type { ConsultXRStore } from '../xr/xr-store'

let serverConfig: ServerConfig | null = null

async function config(): Promise<ServerConfig> {
  serverConfig ??= await loadServerConfig()
  return serverConfig
}

/** Whether this server can hold large rooms (it names a Janus server); false when it cannot be asked. */
export async function largeRoomsAvailable(): Promise<boolean> {
  return config().then(
    (server) => server.janusUrls.length > 0,
    () => false,
  )
}

/**
 * A new XR store with this server's controller profiles, for one call screen's 3D view (src/app/call-view.tsx),
 * which destroys it (src/xr/xr-store.ts) when it goes. Asked for only when the 3D view is about to
 * mount, never by joining: the video layout needs no XR. Not one store per page: the store keeps the renderer it
 * was connected to, and a page-wide one kept the left call's renderer and, through its canvas, the whole left
 * call screen (see the store's destroy).
 */
export async function createCallXRStore(): Promise<ConsultXRStore> {
  const { profilesPath } = await config()
  // Loaded with the 3D scene, not with the lobby or the video layout: @react-three/xr brings three.js along. Our
  // own code failing to load means the server went away.
  const { createConsultXRStore } = await import('../xr/xr-store').catch(() => {
    throw new ServerUnreachableError()
  })
  return createConsultXRStore(new URL(profilesPath, location.origin).href)
}

function sentenceOf(error: unknown): string {
  return error instanceof Error && /[.!?]$/.test(error.message)
    ? error.message
    : 'Something went wrong while joining. Please try again.'
}

/**
 * Switches for the browser tests, read from the page URL: `test-protocol-version` announces another protocol
 * version; `test-peer-ids` (four comma-separated ids) dials those instead of the ids the invite derives, which
 * plays an intruder who learned the peer ids but not the secret; `test-role` claims that role in our hello and
 * member record while presenting our invite's credential, which plays a participant claiming a role it was not
 * given. None grants anything: admission still needs the secret, and a role needs its credential.
 */
function testOverrides(query: URLSearchParams): {
  protocolVersion?: number
  seatIds?: string[]
  claimedRole?: Role
} {
  const version = Number(query.get('test-protocol-version'))
  const ids = query.get('test-peer-ids')?.split(',')
  const role = query.get('test-role')
  return {
    ...(Number.isInteger(version) && version > 0 ? { protocolVersion: version } : {}),
    ...(ids?.length === 4 ? { seatIds: ids } : {}),
    ...(role && (ROLES as readonly string[]).includes(role) ? { claimedRole: role as Role } : {}),
  }
}

/** The mesh over our PeerServer for a consultation; a Janus VideoRoom for a large room. */
async function transportFor(invite: Invite, debug: boolean): Promise<MeshTransport> {
  const server = await config()
  const rtc = peerServerOptions(server).config
  if (invite.kind !== 'large') return new PeerJsTransport(peerServerOptions(server))
  if (server.janusUrls.length === 0) throw new NoJanusError()
  // Loaded for large rooms only: janode stays out of every consultation's page.
  const [{ JanusTransport }, room] = await Promise.all([
    import('../net/janus-transport').catch(() => {
      throw new ServerUnreachableError()
    }),
    janusRoomAccess(invite),
  ])
  return new JanusTransport({
    urls: server.janusUrls,
    room,
    keys: sfuKeysOverride(invite) ?? invite,
    rtc,
    ...(debug ? { trace: (...details: unknown[]) => console.info('[call]', ...details) } : {}),
  })
}

/**
 * `test-sfu-key-secret` (with `debug`): the large room's media and message keys come from this secret instead
 * of the invite's, while the Janus room id and PIN stay the invite's. That plays an intruder who got into the
 * Janus room (the operator, or someone who learned its id and PIN) without the keys; it grants nothing.
 */
function sfuKeysOverride(invite: Invite): Room | null {
  const query = new URLSearchParams(location.search)
  const secret = query.get('test-sfu-key-secret')
  return query.has('debug') && secret ? { ...invite, secret } : null
}

/** A call for `invite`, not joined yet: the join screen shows, and the call screen waits, hidden, behind it. */
export function openCall(invite: Invite): CallRuntime {
  void config().catch(() => undefined)
  const query = new URLSearchParams(location.search)
  return new CallRuntime({
    invite,
    page: pageStore,
    transport: () => transportFor(invite, query.has('debug')),
    debug: query.has('debug'),
    ...testOverrides(query),
    onEnded: (reason) => endCall(reason),
    // Loaded with the page's first call screen; until then (a moment), the app's default.
    maxShareBytes: () => serverConfig?.shareMaxBytes,
    playback: () => playbackMeter.counts(),
  })
}

/** The call ended for us (we were asked to leave): camera and microphone off, and the reason on screen. */
function endCall(reason: string) {
  const state = pageStore.getState()
  state.setLocalStream(null, state.mediaMode)
  // The call screen goes with the phase, and its XR session with it (the store's destroy).
  pageStore.setState({ phase: 'left', endedBecause: reason })
}

export async function joinCall(runtime: CallRuntime, displayName: string): Promise<void> {
  pageStore.setState({ phase: 'joining', fatalError: null })
  try {
    await runtime.join(displayName)
    // Closing the tab says goodbye, so the others see us leave at once instead of after the heartbeat timeout.
    const onPageHide = () => void runtime.leave()
    addEventListener('pagehide', onPageHide)
    runtime.addCleanup(() => removeEventListener('pagehide', onPageHide))
    pageStore.setState({ phase: 'in-call', fatalError: null })
  } catch (error) {
    pageStore.setState({ phase: 'preview', fatalError: sentenceOf(error) })
  }
}

export function leaveCall(runtime: CallRuntime) {
  void runtime.leave()
  const state = pageStore.getState()
  state.setLocalStream(null, state.mediaMode)
  // The call screen goes with the phase, and its XR session with it (the store's destroy).
  pageStore.setState({ phase: 'left', endedBecause: null })
}

export function toggleMute() {
  pageStore.getState().toggleMute()
}

export function toggleCamera() {
  pageStore.getState().toggleCamera()
}

/** Asks for `mode`'s devices from inside the call: the stream, or the sentence that says why it could not. */
async function acquireInCall(
  mode: Exclude<MediaMode, 'receive-only'>,
): Promise<{ stream: MediaStream | null } | { problem: string }> {
  try {
    return { stream: await acquireLocalMedia(mode) }
  } catch (error) {
    return {
      problem: describeMediaFailureInCall(error instanceof LocalMediaError ? error.failure : 'unknown', mode),
    }
  }
}

/** Whether the call is still on to take a stream asked for in it; if not, its tracks are stopped. */
function stillWanted(stream: MediaStream | null): stream is MediaStream {
  // Left meanwhile (the prompt can stay open for minutes): the stream is not wanted any more.
  if (stream && pageStore.getState().phase === 'in-call') return true
  for (const track of stream?.getTracks() ?? []) track.stop()
  return false
}

/**
 * Asks for the camera and microphone from inside the call: for someone who joined without them (the permission
 * refused or not answered in time, no camera then, or joined to watch) and has allowed them since. The new stream
 * replaces the page's (the mesh makes its camera calls again with it); a microphone that was muted stays muted.
 * Resolves to null, or to the sentence that says why it could not.
 */
export async function turnCameraOnInCall(): Promise<string | null> {
  const mode = 'camera-and-microphone'
  const result = await acquireInCall(mode)
  if ('problem' in result) return result.problem
  if (!stillWanted(result.stream)) return null
  const before = pageStore.getState()
  const keepMuted = before.muted && (before.localStream?.getAudioTracks().length ?? 0) > 0
  before.setLocalStream(result.stream, mode)
  if (keepMuted && !pageStore.getState().muted) pageStore.getState().toggleMute()
  return null
}

/**
 * Asks for the microphone alone from inside the call: for someone who may speak (in a consultation, always; in a
 * large room, once the presenter let them) and has no microphone track (joined without camera or microphone, or
 * refused them). Not the camera: in a large room it may still be locked, and speaking is what was asked. The new
 * stream carries the microphone and the camera track the page has, if any, and replaces the page's stream the way
 * Turn camera on does (the mesh makes its camera calls again; a large room's published connection takes the
 * track). The microphone comes on as the lock allows (src/state/page-store.ts). Resolves to null, or to the
 * sentence that says why it could not.
 */
export async function turnMicrophoneOnInCall(): Promise<string | null> {
  const result = await acquireInCall('microphone-only')
  if ('problem' in result) return result.problem
  if (!stillWanted(result.stream)) return null
  const before = pageStore.getState()
  const video = before.localStream?.getVideoTracks() ?? []
  if (video.length === 0) {
    before.setLocalStream(result.stream, 'microphone-only')
    return null
  }
  // A camera without a microphone: it goes on as it was (on or off), beside the new microphone.
  const cameraOff = before.cameraOff
  before.setLocalStream(new MediaStream([...result.stream.getAudioTracks(), ...video]), before.mediaMode)
  if (cameraOff && !pageStore.getState().cameraOff) pageStore.getState().toggleCamera()
  return null
}
