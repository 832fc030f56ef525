// Why a call could not start, each as a sentence the join screen shows as it is.
import { ROOM_CAPACITY } from '../room/invite'

export class RoomFullError extends Error {
  /** @param capacity the room's seats (a consultation's unless told) */
  constructor(capacity = ROOM_CAPACITY) {
    super(
      `This ${capacity > ROOM_CAPACITY ? 'room' : 'consultation'} is full (${capacity} participants). Ask the host to make room, then try again.`,
    )
  }
}

export class NoWebRtcError extends Error {
  constructor() {
    super(
      'This browser cannot make peer-to-peer video calls. Please use a current Chrome, Edge, Firefox or Safari.',
    )
  }
}

export class ServerUnreachableError extends Error {
  constructor() {
    super('The consultation server cannot be reached. Check your network connection and try again.')
  }
}

export class DamagedInviteError extends Error {
  constructor() {
    super('This invite link is damaged (its credential cannot be read). Ask for the link again.')
  }
}

export class NoJanusError extends Error {
  constructor() {
    super(
      'This is a large room, and this server has no Janus media server for it (JANUS_URLS). Ask the host to set one up.',
    )
  }
}

export class NoMediaE2eeError extends Error {
  constructor() {
    super(
      'Large rooms need a browser that can encrypt media end to end, and this one cannot. Please use a current Chrome, Edge, Firefox or Safari.',
    )
  }
}
