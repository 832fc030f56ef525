// Configuration for a Janus next to the app, written to a folder of its own: the VideoRoom plugin and the
// WebSockets transport only (each folder Janus loads from holds just that one library, linked from Debian's), the
// admin API off, WebSockets and ICE on loopback, no STUN. Used by the e2e tests (e2e/janus.ts) and by
// `npm run janus` (below), so what is tested is what a developer runs.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const JANUS = process.env.JANUS_PATH ?? '/usr/bin/janus'
/** Where Debian's package puts Janus's plugins and transports. */
const LIBRARIES = process.env.JANUS_LIB_DIR ?? '/usr/lib/x86_64-linux-gnu/janus'

/**
 * Writes janus.jcfg and the two module configurations into `dir`.
 * @param {string} dir an empty folder
 * @param {{ port: number, host?: string, reclaimSessionTimeout?: number }} options the WebSocket port and address
 *   (loopback unless told); how long, in seconds, a session whose WebSocket closed is kept for its client to
 *   reclaim (0, the default: it ends at once; a test sets it to play a Janus that has not noticed a cut yet)
 */
export async function writeJanusConfig(dir, { port, host = '127.0.0.1', reclaimSessionTimeout = 0 }) {
  const plugins = path.join(dir, 'plugins')
  const transports = path.join(dir, 'transports')
  const empty = path.join(dir, 'none')
  await Promise.all([mkdir(plugins), mkdir(transports), mkdir(empty)])
  await symlink(
    path.join(LIBRARIES, 'plugins/libjanus_videoroom.so'),
    path.join(plugins, 'libjanus_videoroom.so'),
  )
  await symlink(
    path.join(LIBRARIES, 'transports/libjanus_websockets.so'),
    path.join(transports, 'libjanus_websockets.so'),
  )
  const main = `general: {
  configs_folder = "${dir}"
  plugins_folder = "${plugins}"
  transports_folder = "${transports}"
  # No event handlers and no external loggers: empty folders.
  events_folder = "${empty}"
  loggers_folder = "${empty}"
  # 4 (info) unless JANUS_DEBUG_LEVEL says otherwise: 5 logs every data channel message Janus relays.
  debug_level = ${process.env.JANUS_DEBUG_LEVEL ?? 4}
  # Rooms are created by the clients (derived ids and PINs); a session whose socket went away is dropped after
  # this many seconds.
  session_timeout = 60
  reclaim_session_timeout = ${reclaimSessionTimeout}
}
media: {
}
nat: {
  # No STUN: a local Janus has nothing to discover. Only loopback candidates are offered.
  ice_enforce_list = "${host}"
  ignore_mdns = true
}
plugins: {
}
transports: {
}
events: {
  broadcast = false
}
`
  const websockets = `general: {
  json = "plain"
  ws = true
  ws_port = ${port}
  ws_ip = "${host}"
  wss = false
}
admin: {
  admin_ws = false
  admin_wss = false
}
`
  // No static rooms: every room is created by its first participant with the derived id and PIN.
  const videoroom = `general: {
  # Anyone on the WebSocket may create a room (it takes the derived id and PIN to find or enter one).
}
`
  await Promise.all([
    writeFile(path.join(dir, 'janus.jcfg'), main),
    writeFile(path.join(dir, 'janus.transport.websockets.jcfg'), websockets),
    writeFile(path.join(dir, 'janus.plugin.videoroom.jcfg'), videoroom),
  ])
}

/**
 * Janus's command line for a configuration folder written by writeJanusConfig.
 * @param {string} dir
 */
export function janusArgs(dir) {
  return ['-F', dir, '-C', path.join(dir, 'janus.jcfg'), '--disable-colors']
}

// `npm run janus`: a local Janus on ws://127.0.0.1:8188 (or JANUS_PORT), until Ctrl-C.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const port = Number(process.env.JANUS_PORT ?? 8188)
  const dir = await mkdtemp(path.join(tmpdir(), 'janus-'))
  await writeJanusConfig(dir, { port })
  console.log(`Janus on ws://127.0.0.1:${port} (configuration in ${dir}); start the app with`)
  console.log(`  JANUS_URLS=ws://127.0.0.1:${port} npm start`)
  const child = spawn(JANUS, janusArgs(dir), { stdio: 'inherit' })
  const stop = () => child.kill('SIGTERM')
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  child.on('exit', (code) => process.exit(code ?? 0))
}
