// @ts-check
// `npm run dev`: the same PeerServer, config endpoint and profiles as the production server, inside Vite's dev
// server, so development has one origin too.
import { mountConsultServices, parseIceServers } from './services.mjs'

/** @returns {import('vite').Plugin} */
export function consultServer() {
  return {
    name: 'xr-consult-server',
    configureServer(server) {
      if (!server.httpServer) return
      mountConsultServices(server.middlewares, /** @type {any} */ (server.httpServer), {
        iceServers: parseIceServers(process.env.ICE_SERVERS),
      })
    },
  }
}
