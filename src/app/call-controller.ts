// Joins and leaves the call: the glue between the DOM shell, the store and src/net/. No React here.
import { createAnnotationState, materialize } from '../annotations/model'
import { CallSession } from '../net/call-session'
import {
  loadServerConfig,
  peerServerOptions,
  type ServerConfig,
  ServerUnreachableError,
} from '../net/server-config'
import type { Invite } from '../room/invite'
import { consultStore } from '../state/store'
import type { ConsultXRStore } from '../xr/xr-store'
import { connectGuidance, guidanceActions, guidanceStore, resetGuidance, sharedSpace } from './guidance'
import { startRecording, stopRecording } from './recording'
import { remoteVitals } from './vitals-feeds'

let session: CallSession | null = null
let serverConfig: ServerConfig | null = null
let xrStore: ConsultXRStore | null = null

connectGuidance(() => session)

async function config(): Promise<ServerConfig> {
  serverConfig ??= await loadServerConfig()
  return serverConfig
}

/** The XR store, created once per page with this server's controller profiles. */
export async function getXRStore(): Promise<ConsultXRStore> {
  const { profilesPath } = await config()
  // Loaded with the 3D scene, not with the lobby: @react-three/xr brings three.js along. Our own code failing
  // to load means the server went away.
  const { createConsultXRStore } = await import('../xr/xr-store').catch(() => {
    throw new ServerUnreachableError()
  })
  xrStore ??= createConsultXRStore(new URL(profilesPath, location.origin).href)
  return xrStore
}

function sentenceOf(error: unknown): string {
  return error instanceof Error && /[.!?]$/.test(error.message)
    ? error.message
    : 'Something went wrong while joining. Please try again.'
}

/**
 * Switches for the browser tests, read from the page URL: `test-protocol-version` announces another protocol
 * version; `test-peer-ids` (four comma-separated ids) dials those instead of the ids the invite derives, which
 * plays an intruder who learned the peer ids but not the secret. Neither grants anything: admission still needs
 * the secret.
 */
function testOverrides(query: URLSearchParams): { protocolVersion?: number; seatIds?: string[] } {
  const version = Number(query.get('test-protocol-version'))
  const ids = query.get('test-peer-ids')?.split(',')
  return {
    ...(Number.isInteger(version) && version > 0 ? { protocolVersion: version } : {}),
    ...(ids?.length === 4 ? { seatIds: ids } : {}),
  }
}

/** The call in progress, if any (vitals sharing sends through it). */
export function currentSession(): CallSession | null {
  return session
}

export function sendChat(text: string) {
  session?.sendChat(text)
}

export async function joinCall(invite: Invite, displayName: string): Promise<void> {
  consultStore.setState({ phase: 'joining', fatalError: null })
  try {
    const server = peerServerOptions(await config())
    await getXRStore()
    const query = new URLSearchParams(location.search)
    const debug = query.has('debug')
    const next = new CallSession({
      invite,
      displayName,
      store: consultStore,
      server,
      debug,
      vitals: remoteVitals,
      space: sharedSpace,
      ...testOverrides(query),
    })
    await next.join()
    session = next
    void startRecording(invite, displayName, next).catch((error: unknown) =>
      console.warn('the vitals record is not available', error),
    )
    // Tests drive and inspect the call through this (chat bursts, cutting the data connections).
    if (debug) {
      Object.assign(window, {
        __xrConsultCall: next,
        __xrConsultGuidance: {
          actions: guidanceActions,
          store: guidanceStore,
          space: sharedSpace,
          consultStore,
          /** What the scene draws: the materialized annotations. */
          annotations: () => materialize(consultStore.getState().annotations),
        },
      })
    }
    consultStore.setState({ phase: 'in-call', fatalError: null })
  } catch (error) {
    consultStore.setState({ phase: 'preview', fatalError: sentenceOf(error) })
  }
}

export function leaveCall() {
  stopRecording()
  session?.leave()
  session = null
  const state = consultStore.getState()
  state.setLocalStream(null, state.mediaMode)
  void xrStore?.getState().session?.end()
  resetGuidance()
  sharedSpace.clear()
  // The annotations belong to the call left (and the record stopped above has them); a next call starts clean.
  consultStore.setState({
    phase: 'left',
    participants: {},
    chat: [],
    annotations: createAnnotationState(),
    serverConnected: true,
  })
}

export function toggleMute() {
  consultStore.getState().toggleMute()
  session?.broadcastMediaState()
}

export function toggleCamera() {
  consultStore.getState().toggleCamera()
  session?.broadcastMediaState()
}

// Closing the tab says goodbye, so the others see us leave at once instead of after the heartbeat timeout.
addEventListener('pagehide', () => session?.leave())
