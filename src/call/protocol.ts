// The app's protocol: the call layer's own messages plus every feature's channel specs, in one discriminated
// union. Adding a feature's messages is one line here; the network layer carries them without knowing them.
import type * as z from 'zod/mini'
import { annotationOpSchemas, guidanceMessageSpecs } from '../annotations/schema'
import { aftercareOpSchema } from '../care/aftercare'
import { consentOpSchema, screeningOpSchema } from '../care/screening'
import { chatOpSchema } from '../chat/wire'
import { createProtocol } from '../net/protocol'
import { cameraOpSchema, floorOpSchema, handOpSchema } from '../room/hands'
import { shareMessageSpecs, shareOpSchemas } from '../share/wire'
import { vitalsMessageSpecs } from '../vitals/wire'

export const appProtocol = createProtocol(
  [...guidanceMessageSpecs, ...vitalsMessageSpecs, ...shareMessageSpecs],
  [
    chatOpSchema,
    ...annotationOpSchemas,
    ...shareOpSchemas,
    aftercareOpSchema,
    screeningOpSchema,
    consentOpSchema,
    handOpSchema,
    floorOpSchema,
    cameraOpSchema,
  ],
)

export type Message = z.infer<typeof appProtocol.messageSchema>
export type MessageType = Message['type']
export type Op = z.infer<typeof appProtocol.opSchema>
/** Messages a feature's channel receives: everything but what the call layer itself handles. */
export type ChannelMessage = Exclude<
  Message,
  {
    type:
      | 'challenge'
      | 'proof'
      | 'hello'
      | 'media-state'
      | 'ping'
      | 'pong'
      | 'bye'
      | 'call-again'
      | 'ops'
      | 'ack'
  }
>

export const LIMITS = appProtocol.limits
export const MAX_MESSAGE_CHARS = appProtocol.maxChars
export const { parseMessage, decodeText, encodeMessage, messageSchema, opSchema } = appProtocol
