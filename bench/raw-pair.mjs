// @ts-check
// The same-run baseline of the data-path benchmarks (bench/protocol.mjs, bench/guidance.mjs): a second, bare
// RTCPeerConnection pair between the two measured pages with one ordered data channel (as PeerJS opens with
// `reliable: true`) and no ICE servers, so the app's numbers are read against what WebRTC itself takes on the same
// machine in the same minute. Page A offers; page B answers and either echoes every message back (a round trip) or
// notes when each arrives (one way). On loopback the host candidates are gathered at once, so nothing trickles.

/** @typedef {import('playwright-core').Page} Page */
/**
 * @typedef {{
 *   pc: RTCPeerConnection,
 *   channel: RTCDataChannel,
 *   waiting: Map<string, (at: number) => void>,
 * }} RawChannel What page A holds: its end, and who waits for which echo (performance.now() at arrival).
 * @typedef {Window & {
 *   __benchRaw?: RawChannel,
 *   __benchEcho?: RTCPeerConnection,
 *   __benchArrivals?: Map<string, number>,
 * }} RawWindow
 */

// In the pages (each function runs in the browser: nothing from this module's scope)

/**
 * One end of the pair; resolves with its complete description (offer or answer, candidates included). Page A
 * (no `offer`) opens the channel and keeps who waits for which echo; page B answers `offer` and, by `mode`, sends
 * every message straight back (`echo`) or notes when each arrives, by its first 64 characters, in epoch ms
 * (`arrivals`: `window.__benchArrivals`).
 */
async function rawEnd(
  /** @type {{ label: string, mode: 'echo' | 'arrivals', offer?: string }} */ { label, mode, offer },
) {
  const w = /** @type {RawWindow} */ (window)
  const pc = new RTCPeerConnection({ iceServers: [] })
  if (offer === undefined) {
    const channel = pc.createDataChannel(label, { ordered: true })
    /** @type {RawChannel['waiting']} */
    const waiting = new Map()
    channel.onmessage = (event) => {
      const at = performance.now()
      const done = waiting.get(event.data)
      waiting.delete(event.data)
      done?.(at)
    }
    w.__benchRaw = { pc, channel, waiting }
    await pc.setLocalDescription(await pc.createOffer())
  } else {
    w.__benchEcho = pc
    /** @type {Map<string, number>} */
    const arrivals = new Map()
    w.__benchArrivals = arrivals
    pc.ondatachannel = (event) => {
      const channel = event.channel
      channel.onmessage = (message) => {
        if (mode === 'echo') channel.send(message.data)
        else arrivals.set(String(message.data).slice(0, 64), performance.timeOrigin + performance.now())
      }
    }
    await pc.setRemoteDescription({ type: 'offer', sdp: offer })
    await pc.setLocalDescription(await pc.createAnswer())
  }
  await new Promise((resolve) => {
    const check = () => pc.iceGatheringState === 'complete' && resolve(undefined)
    pc.addEventListener('icegatheringstatechange', check)
    check()
    setTimeout(resolve, 5000)
  })
  return pc.localDescription?.sdp ?? ''
}

/** Page A: takes B's answer and waits for the channel to open. */
async function rawAccept(/** @type {string} */ answer) {
  const raw = /** @type {RawWindow} */ (window).__benchRaw
  if (!raw) throw new Error('no baseline connection')
  await raw.pc.setRemoteDescription({ type: 'answer', sdp: answer })
  if (raw.channel.readyState === 'open') return
  await new Promise((resolve, reject) => {
    raw.channel.addEventListener('open', resolve)
    setTimeout(() => reject(new Error('the baseline data channel did not open within 15 s')), 15_000)
  })
}

/**
 * Opens the baseline pair from page `a` to page `b` (signalled through this process, not a server) and waits until
 * its channel is open. `mode`: what B does with each message (see rawEnd).
 * @param {Page} a
 * @param {Page} b
 * @param {{ label: string, mode: 'echo' | 'arrivals' }} options
 */
export async function openRawPair(a, b, { label, mode }) {
  const offer = await a.evaluate(rawEnd, { label, mode })
  const answer = await b.evaluate(rawEnd, { label, mode, offer })
  await a.evaluate(rawAccept, answer)
}
