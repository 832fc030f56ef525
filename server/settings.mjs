// @ts-check
// The server's settings, from the environment: PORT (default 8080), HTTPS=1, HOST, ICE_SERVERS (JSON),
// ICE_TRANSPORT_POLICY (all or relay), SHARE_MAX_MB (largest shared file, megabytes; default 100), JANUS_URLS
// (Janus servers for large rooms, comma separated ws:// or wss:// URLs; default none). Read by `npm start` to
// refuse bad ones before anything starts, and again by the server process it runs.
import { parseIceServers, parseIceTransportPolicy, parseJanusUrls } from './services.mjs'

/** Exit codes both processes use, so the supervisor knows which exits are not worth a restart. */
export const EXIT_CODES = Object.freeze({
  /** A setting is wrong: starting again would fail the same way. */
  badSettings: 2,
  /** The port is taken, or may not be used: starting again would fail the same way. */
  cannotListen: 3,
})

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ port: number, host: string, useHttps: boolean, iceServers: ReturnType<typeof parseIceServers>,
 *   iceTransportPolicy: 'all' | 'relay', shareMaxBytes: number, janusUrls: string[] }}
 * @throws {Error} with a message that says which setting is wrong and how
 */
export function readSettings(env) {
  const iceServers = parseIceServers(env.ICE_SERVERS)
  const iceTransportPolicy = parseIceTransportPolicy(env.ICE_TRANSPORT_POLICY, iceServers)
  const port = env.PORT === undefined ? 8080 : Number(env.PORT)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a number from 0 to 65535, not "${env.PORT}"`)
  }
  const useHttps = env.HTTPS === '1' || env.HTTPS === 'true'
  // Plain HTTP is only a secure context on localhost, so only HTTPS is worth offering to other devices.
  const host = env.HOST ?? (useHttps ? '0.0.0.0' : 'localhost')
  const shareMaxMb = env.SHARE_MAX_MB === undefined ? 100 : Number(env.SHARE_MAX_MB)
  if (!Number.isFinite(shareMaxMb) || shareMaxMb <= 0 || shareMaxMb > 2000) {
    throw new Error(`SHARE_MAX_MB must be a number of megabytes from 1 to 2000, not "${env.SHARE_MAX_MB}"`)
  }
  return {
    port,
    host,
    useHttps,
    iceServers,
    iceTransportPolicy,
    shareMaxBytes: Math.round(shareMaxMb * 1e6),
    janusUrls: parseJanusUrls(env.JANUS_URLS),
  }
}

/**
 * Says in a sentence why the server could not listen, and what to do.
 * @param {NodeJS.ErrnoException} error from `listen`
 * @param {string} host
 * @param {number} port
 * @returns {string | null} null for an error that is not about the address
 */
export function listenFailureSentence(error, host, port) {
  const another = port > 0 && port < 65535 ? port + 1 : 8080
  switch (error.code) {
    case 'EADDRINUSE':
      return `Port ${port} is already in use. Stop the other program or start with another port: PORT=${another} npm start`
    case 'EACCES':
      return `Port ${port} may only be used by an administrator. Start with a port above 1023: PORT=8080 npm start`
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `HOST=${host} is not an address of this machine. Leave HOST unset, or use one of its addresses.`
    default:
      return null
  }
}
