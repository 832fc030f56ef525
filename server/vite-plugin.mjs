// @ts-check
// `npm run dev`: the same PeerServer, config endpoint and profiles as the production server, inside Vite's dev
// server, so development has one origin too.
import {
  mountConsultServices,
  parseIceServers,
  parseIceTransportPolicy,
  parseJanusUrls,
} from './services.mjs'

/** @returns {import('vite').Plugin} */
export function consultServer() {
  return {
    name: 'xr-consult-server',
    configureServer(server) {
      if (!server.httpServer) return
      const iceServers = parseIceServers(process.env.ICE_SERVERS)
      mountConsultServices(server.middlewares, /** @type {any} */ (server.httpServer), {
        iceServers,
        iceTransportPolicy: parseIceTransportPolicy(process.env.ICE_TRANSPORT_POLICY, iceServers),
        shareMaxBytes: process.env.SHARE_MAX_MB ? Number(process.env.SHARE_MAX_MB) * 1e6 : undefined,
        janusUrls: parseJanusUrls(process.env.JANUS_URLS),
      })
    },
  }
}
