// What the client needs to know about its server, derived from the page's origin plus /config.json, so that the
// PeerJS client never falls back to the public PeerJS cloud or public STUN servers.
import * as z from 'zod/mini'
import { ServerUnreachableError } from './errors'

const configSchema = z.object({
  peerPath: z.string().check(z.startsWith('/')),
  profilesPath: z.string().check(z.startsWith('/')),
  iceServers: z.array(
    z.object({
      urls: z.union([z.string(), z.array(z.string())]),
      username: z.optional(z.string()),
      credential: z.optional(z.string()),
    }),
  ),
  // 'relay' sends every call through TURN. Absent reads as 'all', the browser's own default.
  iceTransportPolicy: z._default(z.enum(['all', 'relay']), 'all'),
  /** Largest file participants share, bytes (the server's SHARE_MAX_MB). Absent: the app's default. */
  shareMaxBytes: z.optional(z.int().check(z.positive(), z.lte(2_000_000_000))),
  /** Janus servers for large rooms (the server's JANUS_URLS). Empty: consultations only. */
  janusUrls: z._default(z.array(z.string().check(z.regex(/^wss?:\/\//))), []),
})
export type ServerConfig = z.infer<typeof configSchema>

export interface PeerServerOptions {
  host: string
  port: number
  path: string
  secure: boolean
  config: RTCConfiguration
}

export { ServerUnreachableError }

export async function loadServerConfig(origin = location.origin): Promise<ServerConfig> {
  let response: Response
  try {
    response = await fetch(new URL('/config.json', origin), { cache: 'no-store' })
  } catch {
    throw new ServerUnreachableError()
  }
  if (!response.ok) throw new ServerUnreachableError()
  const parsed = parseServerConfig(await response.json().catch(() => null))
  if (!parsed) throw new ServerUnreachableError()
  return parsed
}

/** /config.json's body as a typed config, or null when it is not one (shown like an unreachable server). */
export function parseServerConfig(body: unknown): ServerConfig | null {
  const parsed = configSchema.safeParse(body)
  return parsed.success ? parsed.data : null
}

/** PeerJS options for the PeerServer on this page's own origin. */
export function peerServerOptions(
  config: ServerConfig,
  page: URL = new URL(location.href),
): PeerServerOptions {
  const secure = page.protocol === 'https:'
  return {
    host: page.hostname,
    port: page.port ? Number(page.port) : secure ? 443 : 80,
    // PeerJS appends "peerjs" for the WebSocket and "<key>/id" for the HTTP API to this path.
    path: config.peerPath.endsWith('/') ? config.peerPath : `${config.peerPath}/`,
    secure,
    // Only the ICE servers the operator configured: none means host candidates only (same machine or network).
    config: { iceServers: config.iceServers, iceTransportPolicy: config.iceTransportPolicy },
  }
}
