// @ts-check
// The server process. `npm start` (server/start.mjs) runs it and starts it again if it stops unexpectedly; run
// alone (`node server/serve.mjs`) it serves the built app with the same settings, with no restart.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadOrCreateCertificate, startServer } from './app.mjs'
import { EXIT_CODES, listenFailureSentence, readSettings } from './settings.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * What a server process tells `npm start` once it listens.
 * @typedef {{ type: 'listening', url: string, port: number }} ListeningMessage
 */

async function main() {
  // This is the production server, also when started from a test runner that set NODE_ENV=test: express
  // decides some defaults by it (and its error pages, which ours replace anyway).
  process.env.NODE_ENV = 'production'
  let settings
  try {
    settings = readSettings(process.env)
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exit(EXIT_CODES.badSettings)
  }
  const { port, host, useHttps, iceServers, iceTransportPolicy, shareMaxBytes, janusUrls } = settings
  const tls = useHttps ? await loadOrCreateCertificate(path.join(root, '.certs')) : undefined
  let server
  try {
    server = await startServer({
      port,
      host,
      distDir: path.join(root, 'dist'),
      iceServers,
      iceTransportPolicy,
      shareMaxBytes,
      janusUrls,
      tls,
    })
  } catch (error) {
    const sentence = listenFailureSentence(/** @type {NodeJS.ErrnoException} */ (error), host, port)
    if (sentence === null) throw error
    console.error(sentence)
    process.exit(EXIT_CODES.cannotListen)
  }
  const running = server
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    running.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  // `npm start` is gone (killed without a chance to stop us): do not outlive it, holding the port.
  process.on('disconnect', stop)
  if (process.send) {
    /** @type {ListeningMessage} */
    const message = { type: 'listening', url: running.url, port: running.port }
    process.send(message)
  } else {
    console.log(`XR Consult is running at ${running.url}`)
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
