// The part of janode (Meetecho's Janus client, plain JavaScript without types) that ./janus-transport.ts uses.
declare module 'janode' {
  import type { EventEmitter } from 'events'

  export interface JanodeHandle extends EventEmitter {
    detach(): Promise<void>
  }
  export interface JanodeSession extends EventEmitter {
    attach<H extends JanodeHandle>(plugin: { id: string; Handle: unknown }): Promise<H>
    destroy(): Promise<void>
  }
  export interface JanodeConnection extends EventEmitter {
    create(ka_interval?: number): Promise<JanodeSession>
    close(): Promise<void>
  }
  const Janode: {
    connect(config: {
      address: { url: string; apisecret?: string; token?: string }
      /** Reconnection attempts after the first (janode: 5, 10 s apart); 0 fails at once. */
      max_retries?: number
    }): Promise<JanodeConnection>
    Logger: { setLevel(level: 'debug' | 'verb' | 'info' | 'warn' | 'error' | 'none'): string }
    EVENT: {
      CONNECTION_CLOSED: string
      CONNECTION_ERROR: string
      /** Janus ended the session (keepalive timeout) or we destroyed it. */
      SESSION_DESTROYED: string
      HANDLE_DETACHED: string
      HANDLE_HANGUP: string
      HANDLE_ICE_FAILED: string
    }
  }
  export default Janode
}

declare module 'janode/plugins/videoroom' {
  import type { JanodeHandle } from 'janode'

  export interface VideoRoomPublisher {
    feed: number
    display?: string
  }
  export interface JsepOf {
    type: 'offer' | 'answer'
    sdp: string
  }
  export interface VideoRoomHandle extends JanodeHandle {
    create(params: {
      room: number
      pin?: string
      secret?: string
      is_private?: boolean
      /** Everyone must publish and subscribe saying their media is end-to-end encrypted (Janus 1.x). */
      require_e2ee?: boolean
      max_publishers?: number
      permanent?: boolean
      description?: string
    }): Promise<unknown>
    joinPublisher(params: { room: number; feed: number; pin?: string; display?: string }): Promise<{
      feed: number
      publishers: VideoRoomPublisher[]
    }>
    publish(params: { jsep: JsepOf; e2ee?: boolean }): Promise<{ jsep?: JsepOf }>
    joinSubscriber(params: { room: number; feed: number; pin?: string }): Promise<{ jsep?: JsepOf }>
    start(params: { jsep: JsepOf; e2ee?: boolean }): Promise<unknown>
    /** A subscriber's per-stream settings (Janus 1.x): forward the m-line `mid` or not, and which layer. */
    configure(params: {
      streams: Array<{ mid: string; send?: boolean; substream?: number }>
    }): Promise<unknown>
    leave(): Promise<unknown>
    /** Removes publisher `feed` from the room (needs the room's secret). */
    kick(params: { room: number; feed: number; secret?: string }): Promise<unknown>
  }
  const VideoRoomPlugin: {
    id: string
    Handle: unknown
    EVENT: {
      VIDEOROOM_PUB_LIST: string
      VIDEOROOM_UNPUBLISHED: string
      VIDEOROOM_LEAVING: string
      VIDEOROOM_KICKED: string
      VIDEOROOM_DESTROYED: string
    }
  }
  export default VideoRoomPlugin
}
