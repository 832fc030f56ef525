// One call, from the join screen to leaving: its store, its feeds (the vitals the others share, our own, the
// worker's space), its alarm boards, remote guidance, vitals sharing, the record, and the mesh that carries all
// of it. Created when an invite is opened, joined with a name, and disposed on leave: nothing of a call lives at
// module level, so leaving cannot leave anything behind and two calls in one test cannot see each other. The
// features' channels are wired here, one line each; the mesh carries them without knowing them.
import type { GuidanceChannel } from '../annotations/channel'
import { materialize } from '../annotations/model'
import { colourFor } from '../annotations/palette'
import type { Ray, Target } from '../annotations/raycast'
import { SpaceFeed } from '../annotations/space'
import type { Tool } from '../annotations/tools'
import type { AftercarePlan, ReceivedPlan } from '../care/aftercare'
import type { AftercareChannel } from '../care/channel'
import { loadPlanCopies, savePlanCopy } from '../care/patient-copy'
import { recordGate, screeningSummary, WAITING_ROOM_OP_KINDS } from '../care/screening'
import type { ScreeningChannel } from '../care/screening-channel'
import type { ChatChannel } from '../chat/channel'
import type { PlaybackCounts } from '../lib/playback'
import type { SimulcastLayer } from '../lib/simulcast'
import { CallMesh, type CallMeshEvents, type LinkTap, type PreparedJoin, prepareJoin } from '../net/call-mesh'
import { ECG_BATCH_MS, type Frame, waveformBytesPerSecond } from '../net/frames'
import type { MeshTransport } from '../net/transport'
import {
  type HandsChannel,
  micLocked,
  PRESENTER_ROLE,
  SCREEN_STOPPED_SENTENCE,
  ScreenGate,
  showsVideo,
} from '../room/hands'
import type { Invite, Role } from '../room/invite'
import type { GuidanceView, WorkerSpaceActions } from '../scenes/guidance-view'
import type { HeadsetView } from '../scenes/headset-view'
import type { ShareChannel } from '../share/channel'
import { DEFAULT_MAX_SHARE_BYTES } from '../share/intake'
import { type CallStore, createCallStore } from '../state/call-store'
import type { PageStore } from '../state/page-store'
import type { VitalsChannel } from '../vitals/channel'
import { VitalsFeed } from '../vitals/feed'
import type { MonitorInputs } from '../vitals/monitor'
import { ECG_SAMPLE_RATE_HZ } from '../vitals/types'
import { AlarmBoards } from './alarms'
import { applyOp, type CallChannels, createCallChannels, routeMessage, validateOp } from './channels'
import { createGuidance, type Guidance } from './guidance'
import { appProtocol, type Message, type Op } from './protocol'
import { startRecording } from './recording'
import { VitalsSharing } from './vitals-sharing'

export interface CallRuntimeOptions {
  invite: Invite
  /** The page's store: our camera, microphone and their mute state. */
  page: PageStore
  /** Makes the transport when joining: PeerJS in the app, in-memory in tests. */
  transport: () => MeshTransport | Promise<MeshTransport>
  /** Log connection events and expose the debug API on `window` (`?debug` in the page URL). */
  debug?: boolean
  /** The protocol version we announce. Only tests set it, to see a mismatch. */
  protocolVersion?: number
  /** Seat ids to dial instead of the invite's: only tests set it (an intruder who knows the peer ids). */
  seatIds?: string[]
  /** A role to claim instead of the invite's: only tests set it (a participant claiming a role it was not given). */
  claimedRole?: Role
  /** Keep the call's record in IndexedDB (the clinicians' pages); tests may turn it off. */
  record?: boolean
  /** The call ended for us without our leaving (the clinician asked us to leave): a sentence saying so. */
  onEnded?: (reason: string) => void
  /** Largest file we share or take, bytes (the server's setting), when known; 100 MB otherwise. */
  maxShareBytes?: () => number | undefined
  /** The live video this page drew (the page's playback meter), for the pace of files sent to us. */
  playback?: () => PlaybackCounts
}

/** How often stalled transfers are looked at, ms (see ShareChannel.tick). */
const SHARE_TICK_MS = 1000

type MeshOf = CallMesh<Message, Op>
type FrameHandler = (peerId: string, frame: Frame) => void

/** The headset's screening lines for someone who does not see the answers (the patient). */
const NO_LINES: readonly string[] = []

export class CallRuntime {
  readonly invite: Invite
  readonly store: CallStore = createCallStore()
  /** The vitals the others share with us: the monitor panels, the alarms and the record read it. */
  readonly remoteVitals = new VitalsFeed()
  /** What we share, for our own view of it. */
  readonly ownVitals = new VitalsFeed()
  /** The worker's shared space and everyone's laser pointers, as received. */
  readonly space = new SpaceFeed()
  /** The call's transport, once joining made it: only the debug API asks it anything directly. */
  private transport: MeshTransport | null = null
  readonly alarms = new AlarmBoards(this.remoteVitals)
  private readonly channels: CallChannels
  readonly chat: ChatChannel
  readonly vitals: VitalsChannel
  readonly guidanceChannel: GuidanceChannel
  /** Shared files and their views. */
  readonly share: ShareChannel
  /** The clinician's aftercare plans for the patient. */
  readonly aftercare: AftercareChannel
  /** The patient's screening answers and their consent to the record. */
  readonly screening: ScreeningChannel
  /** Large rooms: raised hands and who may speak. */
  readonly hands: HandsChannel
  readonly guidance: Guidance
  readonly sharing: VitalsSharing
  private mesh: MeshOf | null = null
  private readonly frameHandlers = new Set<FrameHandler>()
  private readonly cleanups: Array<() => void> = []
  /** The screen we share (shareScreen), and who wants to hear when it stops without being asked to. */
  private screenStream: MediaStream | null = null
  private readonly screenStops = new Set<(sentence: string) => void>()
  /** Whose shared screens this page shows: only those the room's rules let share (src/room/hands.ts). */
  private readonly screens: ScreenGate<MediaStream>
  private state: 'new' | 'joining' | 'joined' | 'left' = 'new'
  /** Keys and seat ids, made while the join screen shows (a failure shows up when joining). */
  private readonly prepared: Promise<PreparedJoin>

  constructor(private readonly options: CallRuntimeOptions) {
    this.invite = options.invite
    this.prepared = prepareJoin(options.invite)
    this.prepared.catch(() => undefined)
    const mesh = () => this.mesh
    this.channels = createCallChannels({
      store: this.store,
      remoteVitals: this.remoteVitals,
      space: this.space,
      role: options.invite.role,
      mesh,
      maxShareBytes: () => options.maxShareBytes?.() ?? DEFAULT_MAX_SHARE_BYTES,
      onCarePlan: (plan) => this.keepCarePlan(plan),
      playback: options.playback,
    })
    this.aftercare = this.channels.aftercare
    this.screening = this.channels.screening
    this.hands = this.channels.hands
    this.chat = this.channels.chat
    this.share = this.channels.share
    this.vitals = this.channels.vitals
    this.guidanceChannel = this.channels.guidance
    this.guidance = createGuidance({
      space: this.space,
      annotations: () => this.store.getState().annotations,
      call: () => {
        const m = mesh()
        if (!m) return null
        return {
          sessionId: m.session,
          seatIndex: m.seatIndex,
          displayName: m.displayName,
          nextOpId: () => m.nextOpId(),
          publish: (op) => m.publish(op),
          broadcastLaser: (laser) => this.guidanceChannel.broadcastLaser(laser),
        }
      },
    })
    this.sharing = new VitalsSharing(this.ownVitals, this.vitals)
    const store = () => this.store.getState()
    this.screens = new ScreenGate<MediaStream>({
      large: options.invite.kind === 'large',
      presenter: options.invite.role === PRESENTER_ROLE,
      grants: () => store().cameraGrants,
      sharer: (peerId) => store().participants[peerId],
      show: (peerId, screen) => {
        const participant = store().participants[peerId]
        if (participant) store().upsertParticipant(peerId, { seat: participant.seat, screen })
      },
      tell: (sentence) => store().notify(sentence, 'warning'),
    })
  }

  get joined(): boolean {
    return this.state === 'joined'
  }

  get left(): boolean {
    return this.state === 'left'
  }

  /**
   * Which simulcast layer of `peerId`'s video the panel showing it needs (src/lib/simulcast.ts; null: none).
   * Only the SFU path forwards layers; in the mesh this does nothing.
   */
  setReceiveLayer(peerId: string, layer: SimulcastLayer | null) {
    this.transport?.setReceiveLayer?.(peerId, layer)
  }

  /** Our seat (0-based), once joined. */
  get seatIndex(): number {
    return this.mesh?.seatIndex ?? -1
  }

  get session(): string | null {
    return this.mesh?.session ?? null
  }

  /** Takes a seat and connects to everyone there. Rejects with a sentence for the user. */
  async join(displayName: string): Promise<void> {
    if (this.state !== 'new') throw new Error('This call was already joined.')
    this.state = 'joining'
    const { page, invite } = this.options
    let transport: MeshTransport
    try {
      transport = await this.options.transport()
      this.transport = transport
      const offScreen = transport.onScreenStopped?.((sentence) => this.stopScreen(sentence))
      if (offScreen) this.cleanups.push(offScreen)
    } catch (error) {
      this.state = 'new'
      throw error
    }
    // Large rooms: everyone but the presenter joins with the microphone locked, before any media is sent.
    const lockMic = (self: string) =>
      page.getState().setMicLocked(
        micLocked({
          large: invite.kind === 'large',
          role: invite.role,
          hands: this.store.getState().hands,
          self,
        }),
      )
    lockMic('')
    // Large rooms: only the presenter and those let show video (at most four senders) publish a video track; the
    // camera button of everyone else stays locked, and the transport sends no video before being told otherwise.
    const lockCamera = (self: string) => {
      const shows = showsVideo({
        large: invite.kind === 'large',
        role: invite.role,
        grants: this.store.getState().cameraGrants,
        session: self,
      })
      page.getState().setCameraLocked(!shows)
      transport.setVideoSending?.(shows)
      // A screen is shared by those who send video (src/room/hands.ts maySendScreen): it goes with the camera.
      if (!shows) this.stopScreen(SCREEN_STOPPED_SENTENCE)
    }
    lockCamera('')
    const mesh: MeshOf = new CallMesh<Message, Op>({
      transport,
      protocol: appProtocol,
      invite,
      displayName,
      localMedia: () => {
        const { localStream, muted, cameraOff } = page.getState()
        return { stream: localStream, muted, cameraOff }
      },
      events: this.meshEvents(),
      debug: this.options.debug,
      protocolVersion: this.options.protocolVersion,
      seatIds: this.options.seatIds,
      prepared: this.prepared,
      claimedRole: this.options.claimedRole,
      waitingRoomOpKinds: WAITING_ROOM_OP_KINDS,
    })
    this.mesh = mesh
    try {
      await mesh.join()
    } catch (error) {
      this.mesh = null
      this.state = 'new'
      page.getState().setMicLocked(false)
      page.getState().setCameraLocked(false)
      void mesh.leave()
      throw error
    }
    if (this.state !== 'joining') return
    this.state = 'joined'
    lockMic(mesh.session)
    lockCamera(mesh.session)
    this.cleanups.push(
      this.store.subscribe((now, before) => {
        if (now.hands !== before.hands) lockMic(mesh.session)
        if (now.cameraGrants !== before.cameraGrants) {
          lockCamera(mesh.session)
          this.screens.recheck()
        }
      }),
      () => page.getState().setMicLocked(false),
      () => page.getState().setCameraLocked(false),
    )
    const shareTick = setInterval(() => this.share.tick(), SHARE_TICK_MS)
    this.cleanups.push(() => clearInterval(shareTick))
    // Mute and camera changes, from the toolbar or from inside the headset, reach everyone; so does a camera and
    // microphone stream that came after Join (the permission answered late): Join does not wait for it.
    this.cleanups.push(
      page.subscribe((now, before) => {
        if (now.localStream !== before.localStream) mesh.localMediaChanged()
        if (now.muted !== before.muted || now.cameraOff !== before.cameraOff) mesh.broadcastMediaState()
      }),
    )
    // It may have come while the seat was being taken, after the first calls were made.
    mesh.localMediaChanged()
    if (this.options.record !== false) {
      this.cleanups.push(
        startRecording(invite, displayName, {
          store: this.store,
          vitals: this.remoteVitals,
          onAlarmLog: (handler) => this.alarms.onLog(handler),
          onShared: (handler) => {
            const seen = new Set<string>()
            const check = () => {
              for (const item of this.share.items()) {
                if (seen.has(item.id)) continue
                seen.add(item.id)
                handler({
                  name: item.name,
                  mime: item.mime,
                  size: item.size,
                  sha256: item.sha256,
                  sharedBy: item.authorName,
                  sharedAt: item.at,
                })
              }
            }
            check()
            return this.share.subscribe(check)
          },
          onKeep: (handler) => {
            const told = new Map<string, boolean>()
            const check = () => {
              for (const item of this.share.items()) {
                const keep = this.kept.has(item.id) && item.bytes !== null
                if ((told.get(item.id) ?? false) === keep) continue
                told.set(item.id, keep)
                handler(item.sha256, keep && item.bytes ? { bytes: item.bytes, mime: item.mime } : null)
              }
            }
            check()
            const unsubscribeKept = this.onKeptChange(check)
            const unsubscribeShare = this.share.subscribe(check)
            return () => {
              unsubscribeKept()
              unsubscribeShare()
            }
          },
          onScreening: (handler) => {
            const seen = new Set<string>()
            const check = () => {
              for (const screening of this.screening.latestScreenings()) {
                if (seen.has(screening.id)) continue
                seen.add(screening.id)
                handler(screening)
              }
            }
            check()
            return this.screening.subscribe(check)
          },
          gate: {
            // The patient's answer about the record, and who else is in the call (./screening.ts recordGate).
            now: () =>
              recordGate(this.screening.consent(), Object.values(this.store.getState().participants)),
            consent: () => this.screening.consent(),
            subscribe: (listener) => {
              const unsubscribeConsent = this.screening.subscribe(listener)
              const unsubscribeStore = this.store.subscribe((state, before) => {
                if (state.participants !== before.participants) listener()
              })
              return () => {
                unsubscribeConsent()
                unsubscribeStore()
              }
            },
          },
          onCarePlan: (handler) => {
            const latest = () => {
              const plan = this.aftercare.latest()
              if (plan) handler(plan)
            }
            latest()
            return this.aftercare.subscribe(latest)
          },
        }),
      )
    }
    if (this.options.debug) this.installDebugApi(mesh)
  }

  private meshEvents(): CallMeshEvents<Message, Op> {
    const store = () => this.store.getState()
    return {
      participant: (peerId, { screen, ...patch }) => {
        store().upsertParticipant(peerId, patch)
        // A screen is shown only if its sharer may share one (a modified client may publish one anyway).
        if (screen !== undefined) this.screens.offer(peerId, screen)
        else if (patch.session !== undefined || patch.role !== undefined) this.screens.recheck()
      },
      participantRemoved: (peerId) => {
        this.screens.remove(peerId)
        store().removeParticipant(peerId)
      },
      notify: (text, tone) => store().notify(text, tone),
      serverConnected: (serverConnected) => this.store.setState({ serverConnected }),
      message: (message, from) => routeMessage(this.channels, message, from, Date.now()),
      frame: (frame, from) => {
        const now = Date.now()
        if (!this.vitals.frame(frame, from, now)) this.guidanceChannel.frame(frame, from, now)
        for (const handler of this.frameHandlers) handler(from.peerId, frame)
      },
      chunk: (chunk, from) => this.share.chunk(chunk, from),
      applyOp: (op) => applyOp(this.channels, op),
      validateOp: (op, author) => validateOp(this.channels, op, author),
      pruneAfter: (op) => this.guidanceChannel.pruneAfter(op),
      limitAfter: (op) => this.chat.limitAfter(op),
      newestFirst: (op) => this.chat.newestFirst(op),
      opsApplied: () => this.chat.flush(),
      linkReady: (peer) => {
        this.guidanceChannel.linkReady(peer.peerId)
        this.share.linkReady(peer)
      },
      waiting: (waitingRoom) => this.store.setState({ waitingRoom }),
      dismissed: (by) => {
        void this.leave()
        this.options.onEnded?.(`${by} asked you to leave the consultation.`)
      },
      peerGone: (peerId, session) => {
        this.vitals.peerGone(peerId)
        this.alarms.remove(peerId)
        this.guidanceChannel.peerGone(peerId, session)
        this.share.peerGone(peerId)
      },
    }
  }

  /**
   * Sample streams (waveforms, poses) from everyone: the handler gets each decoded frame with its sender. Frames
   * go around the store: a consumer writes them into its own buffers, read per rendered frame.
   */
  onFrame(handler: FrameHandler): () => void {
    this.frameHandlers.add(handler)
    return () => this.frameHandlers.delete(handler)
  }

  /** Something to undo when the call is left (a page listener, say). */
  addCleanup(cleanup: () => void) {
    if (this.state === 'left') cleanup()
    else this.cleanups.push(cleanup)
  }

  sendChat(text: string) {
    this.chat.send(text)
  }

  /** Sends the aftercare plan to everyone (the clinician only); null, or a sentence saying why not. */
  sendCarePlan(plan: AftercarePlan): string | null {
    return this.aftercare.send(plan)
  }

  /** The patient's page keeps its own copy of each plan it receives, to read again after the call. */
  private keepCarePlan(plan: ReceivedPlan) {
    if (this.invite.role !== 'patient' || typeof localStorage === 'undefined') return
    const { roomId } = this.invite
    // Said once per plan: a rejoin receives the plans again (the op log's snapshot), and they are known by then.
    if (!loadPlanCopies(localStorage).some((copy) => copy.id === plan.id && copy.roomId === roomId))
      this.store
        .getState()
        .notify(
          `${plan.clinicianName} sent you an aftercare plan: read it in the side panel. This browser keeps a copy.`,
        )
    if (!savePlanCopy(localStorage, plan, roomId, Date.now()))
      this.store
        .getState()
        .notify('Your browser did not keep a copy of the aftercare plan: print or save it now.', 'warning')
  }

  /** Largest file we share or take, bytes. */
  get maxShareBytes(): number {
    return this.options.maxShareBytes?.() ?? DEFAULT_MAX_SHARE_BYTES
  }

  /** Shares our screen with everyone (a media call of its own per participant), or stops with null. */
  shareScreen(stream: MediaStream | null) {
    this.screenStream = stream
    this.mesh?.shareScreen(stream)
  }

  /**
   * Calls `handler` with a sentence when our shared screen stops without us asking (the room's rules took it, or
   * the SFU refused or lost it); the screen's capture has been stopped by then.
   */
  onScreenStopped(handler: (sentence: string) => void): () => void {
    this.screenStops.add(handler)
    return () => this.screenStops.delete(handler)
  }

  private stopScreen(sentence: string) {
    const stream = this.screenStream
    if (!stream) return
    this.shareScreen(null)
    for (const track of stream.getTracks()) track.stop()
    for (const handler of [...this.screenStops]) handler(sentence)
  }

  /** What the scenes are handed for shared items: the channel they read and change views through. */
  /** Shared items (ids) whose file the clinician keeps in the call's record, not only what it was. */
  private readonly kept = new Set<string>()
  private readonly keptListeners = new Set<() => void>()
  private onKeptChange(listener: () => void): () => void {
    this.keptListeners.add(listener)
    return () => this.keptListeners.delete(listener)
  }
  /** Whether the file of shared item `id` is kept in the record. */
  readonly keepsInRecord = (id: string) => this.kept.has(id)
  /** Keeps the file of shared item `id` itself in the call's record (a clinician's choice), or stops keeping it. */
  keepInRecord(id: string, keep: boolean) {
    if (keep === this.kept.has(id)) return
    if (keep) this.kept.add(id)
    else this.kept.delete(id)
    for (const listener of [...this.keptListeners]) listener()
  }
  /** For the viewer's checkbox: a subscription to keepInRecord's changes. */
  readonly subscribeKept = (listener: () => void) => this.onKeptChange(listener)

  readonly shareView = () => ({ channel: this.share, marks: this.itemMarks })
  /** Marks on shared items: guidance's pointer actions and which item is being marked. */
  private readonly itemMarks = {
    pointerDown: (target: Target, tool?: Tool) => this.guidance.actions.pointerDown(target, tool),
    pointerMove: (target: Target) => this.guidance.actions.pointerMove(target),
    pointerUp: () => this.guidance.actions.pointerUp(),
    markItem: (item: string, tool: 'pin' | 'stroke' | null) => this.guidance.actions.markItem(item, tool),
    itemMark: () => this.guidance.store.getState().itemMark,
    subscribe: (listener: () => void) => this.guidance.store.subscribe(listener),
  }

  /** Asks a participant to leave, for the rest of the call (the clinician only; see CallMesh.dismiss). */
  dismiss(session: string) {
    this.mesh?.dismiss(session)
  }

  /** Lets a participant in from the waiting room (the clinician only; see CallMesh.admit). */
  admit(inviteKey: string) {
    this.mesh?.admit(inviteKey)
  }

  /** Whether this page may ask others to leave, or let them in: its invite proves the clinician role. */
  get canDismiss(): boolean {
    return this.invite.role === 'clinician'
  }

  /** Our seat's colour: what our marks are drawn in until we pick another. */
  ownColour = () => colourFor(Math.max(0, this.seatIndex))

  /** What the scenes are handed for remote guidance. */
  readonly guidanceView = (): GuidanceView => ({
    actions: this.guidance.actions,
    store: this.guidance.store,
    space: this.space,
    ownColour: this.ownColour,
  })

  /** What the headset's own panels act on (issue 11): the alarms to show, acknowledge and silence, and the chat. */
  readonly headsetView = (): HeadsetView => {
    // Cached per revision of the answers: useSyncExternalStore needs the same array until something changed.
    let cached: { revision: number; lines: readonly string[] } | null = null
    return {
      alarms: this.alarms,
      sendChat: (text: string) => this.sendChat(text),
      screening: {
        lines: () => {
          if (this.invite.role === 'patient') return NO_LINES
          const revision = this.screening.revision()
          if (cached?.revision !== revision)
            cached = { revision, lines: screeningSummary(this.screening.latestScreenings()) }
          return cached.lines
        },
        subscribe: (listener) => this.screening.subscribe(listener),
      },
    }
  }

  /** The vitals the participants share, and how to judge them (limits, alarms), for the monitors. */
  readonly vitalsView = () => ({
    feed: this.remoteVitals,
    inputs: (peerId: string, now: number): MonitorInputs => this.alarms.monitorInputs(peerId, now),
  })

  /**
   * What the on-site worker's AR view shares, and how their own pointer on their surfaces acts: with the laser
   * tool it points (streamed while held, so the others see what the worker means); with any other tool it marks.
   * A mid-air pen has no ray, so it cannot point.
   */
  readonly workerSpaceActions = (): WorkerSpaceActions => {
    const { actions, store } = this.guidance
    const pointerAt = (target: Target, ray: Ray | undefined, start: boolean) => {
      if (store.getState().tool === 'laser') {
        if (ray) actions.pointLaser(ray, target.point)
      } else if (start) actions.pointerDown(target)
      else actions.pointerMove(target)
    }
    return {
      shareSpace: (sharing, fovY) => this.guidanceChannel.shareSpace(sharing, fovY),
      shareSurface: (surface) => this.guidanceChannel.shareSurface(surface),
      removeSurfaces: (ids) => this.guidanceChannel.removeSurfaces(ids),
      broadcastHeadPose: (pose) => this.guidanceChannel.broadcastHeadPose(pose),
      draw: {
        pointerDown: (target, ray) => pointerAt(target, ray, true),
        pointerMove: (target, ray) => pointerAt(target, ray, false),
        pointerUp: () => {
          if (store.getState().tool === 'laser') actions.pointLaser(null, null)
          else actions.pointerUp()
        },
      },
      space: this.space,
    }
  }

  /**
   * Tests and benchmarks drive and inspect the call through these (`?debug`): chat bursts, cutting the data
   * connections, watching a link's raw traffic, the design constants a benchmark reports against, and a hostile
   * participant's tools: raw text on a link, and any op signed with our own key (what a modified client can do;
   * the others' checks are what the tests are about).
   */
  debugApi(mesh: MeshOf) {
    const call = {
      debugView: () => mesh.debugView(),
      debugRoundTrip: (seat: number) => mesh.debugRoundTrip(seat),
      debugDropDataConnections: () => mesh.debugDropDataConnections(),
      debugDataChannelBytes: () => mesh.debugDataChannelBytes(),
      debugTapLink: (seat: number, tap: LinkTap) => mesh.debugTapLink(seat, tap),
      debugConstants: () => ({
        ...mesh.debugConstants(),
        /** The ECG stream as vitals sharing sends it: one lead, batched. */
        ecg: {
          sampleRateHz: ECG_SAMPLE_RATE_HZ,
          batchMs: ECG_BATCH_MS,
          /** frame bytes per second of one lead, transport framing excluded */
          bytesPerSecondPerLead: waveformBytesPerSecond({
            sampleRateHz: ECG_SAMPLE_RATE_HZ,
            batchMs: ECG_BATCH_MS,
          }),
        },
      }),
      debugSendRaw: (seat: number, text: string) => mesh.debugSendRaw(seat, text),
      debugTransport: () => this.transport?.debugInfo?.() ?? Promise.resolve({}),
      /** Cuts this page's connection to the server (Janus: WebSocket and PeerConnections), as a network fault. */
      debugCutServer: (holdMs?: number) => this.transport?.debugCut?.(holdMs),
      debugPublish: (op: Parameters<MeshOf['publish']>[0]) => mesh.publish(op),
      debugSign: (op: Parameters<MeshOf['publish']>[0]) => mesh.debugSign(op),
      nextOpId: () => mesh.nextOpId(),
      session: () => mesh.session,
      sendChat: (text: string) => this.sendChat(text),
      onFrame: (handler: FrameHandler) => this.onFrame(handler),
      broadcastFrame: (frame: Frame) => mesh.broadcastFrame(frame),
      ...this.workerSpaceActions(),
      vitals: this.remoteVitals,
      runtime: this,
      share: this.share,
    }
    const guidance = {
      actions: this.guidance.actions,
      store: this.guidance.store,
      space: this.space,
      consultStore: this.store,
      /** What the scene draws: the materialized annotations. */
      annotations: () => materialize(this.store.getState().annotations),
    }
    return { call, guidance }
  }

  private installDebugApi(mesh: MeshOf) {
    const target = globalThis as Record<string, unknown>
    const { call, guidance } = this.debugApi(mesh)
    target.__xrConsultCall = call
    target.__xrConsultGuidance = guidance
    this.cleanups.push(() => {
      if (target.__xrConsultCall === call) delete target.__xrConsultCall
      if (target.__xrConsultGuidance === guidance) delete target.__xrConsultGuidance
    })
  }

  /**
   * Leaves the call and lets go of everything it held: goodbyes go out first (resolves once they have left or
   * after at most 1.5 s), then the links, the record, the feeds, the boards and the store's timers.
   */
  async leave(): Promise<void> {
    if (this.state === 'left') return
    this.state = 'left'
    for (const cleanup of this.cleanups.splice(0)) cleanup()
    this.sharing.dispose()
    this.guidance.dispose()
    this.share.dispose()
    const leaving = this.mesh?.leave()
    // Nothing made after this (a stroke's last piece, a late click) goes anywhere.
    this.mesh = null
    this.frameHandlers.clear()
    this.alarms.dispose()
    this.remoteVitals.clear()
    this.ownVitals.clear()
    this.space.clear()
    this.store.dispose()
    await leaving
  }
}

/** What a `?debug` page exposes as `window.__xrConsultCall` and `window.__xrConsultGuidance`. */
export type DebugCall = ReturnType<CallRuntime['debugApi']>['call']
export type DebugGuidance = ReturnType<CallRuntime['debugApi']>['guidance']
