// What the browser gets for janode's Unix-socket transport (see vite.config.ts): large rooms reach Janus over
// WebSockets only.
export default class UnixTransport {
  constructor() {
    throw new Error('Janus over a Unix socket is not available in a browser')
  }
}
