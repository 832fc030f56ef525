// @ts-check
// The frame-rate baseline issue 10 asks for: a plain three.js page drawing a camera stream on one VideoTexture
// plane of the same size, seen from the same camera, as the call scene draws a remote participant's panel. Two
// such pages play the two participants of the "one remote panel" condition: page P (as large as the measured
// call page) and page Q (as small as the remote participant's page), each sending its fake camera to the other
// over one raw RTCPeerConnection (no ICE servers, loopback) and drawing the other's stream, every display frame.
// So the baseline carries what the call's condition carries that is not the app: two pages rendering, video
// encoded and decoded both ways. three.js comes from this repository's node_modules, served on the app's origin
// through a route of the browser context (no request leaves the origin). Measures nothing itself.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { root } from './common.mjs'

/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('playwright-core').Page} Page */
/** @typedef {{ width: number, height: number }} Viewport */

const BASE = '/__bench-plain/'

/**
 * The call scene's desktop view and panel (src/scenes/call-scene.tsx DESKTOP_CAMERA and its fov, near and far;
 * src/scenes/panel-layout.ts PANEL_WIDTH, PANEL_HEIGHT, PANEL_DISTANCE: one panel sits straight ahead), repeated
 * here because a benchmark page cannot import the app's TypeScript. The plane is PANEL_WIDTH wide and follows the
 * video's aspect, as the app's panel does.
 */
const VIEW = {
  camera: [0, 1.6, 0.15],
  fov: 60,
  near: 0.05,
  far: 50,
  panelWidth: 0.64,
  panel: [0, 1.45, -1.35],
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;height:100%;overflow:hidden;background:#000}canvas{display:block}</style></head><body>
<script type="module">
import * as THREE from '${BASE}three.module.js'
const view = ${JSON.stringify(VIEW)}
// As @react-three/fiber sets up its renderer for the call scene (antialias on, alpha as the app asks for it).
const renderer = new THREE.WebGLRenderer({ antialias: true, alpha: true })
renderer.setPixelRatio(Math.min(2, devicePixelRatio))
renderer.setSize(innerWidth, innerHeight)
renderer.toneMapping = THREE.ACESFilmicToneMapping
document.body.appendChild(renderer.domElement)
const scene = new THREE.Scene()
const camera = new THREE.PerspectiveCamera(view.fov, innerWidth / innerHeight, view.near, view.far)
camera.position.set(...view.camera)
camera.lookAt(...view.panel)
const material = new THREE.MeshBasicMaterial({ color: '#222', toneMapped: false })
const plane = new THREE.Mesh(new THREE.PlaneGeometry(1, 1), material)
plane.position.set(...view.panel)
plane.scale.set(view.panelWidth, view.panelWidth * 0.75, 1)
scene.add(plane)
let frames = 0
window.__xrConsult = { get frames() { return frames } }
renderer.setAnimationLoop(() => { renderer.render(scene, camera); frames++ })
const pc = new RTCPeerConnection({ iceServers: [] })
const local = await navigator.mediaDevices.getUserMedia({ video: true, audio: false })
for (const track of local.getTracks()) pc.addTrack(track, local)
pc.ontrack = ({ streams: [stream] }) => {
  const video = document.createElement('video')
  video.muted = true
  video.playsInline = true
  video.srcObject = stream
  video.onresize = () => plane.scale.set(view.panelWidth, view.panelWidth * video.videoHeight / video.videoWidth, 1)
  void video.play()
  const texture = new THREE.VideoTexture(video)
  texture.colorSpace = THREE.SRGBColorSpace
  material.map = texture
  material.color.set('#fff')
  material.needsUpdate = true
  video.requestVideoFrameCallback(() => { window.__plainShowsVideo = true })
}
const gathered = () => new Promise((resolve) => {
  const check = () => pc.iceGatheringState === 'complete' && resolve(undefined)
  pc.onicegatheringstatechange = check
  check()
})
window.__plainOffer = async () => { await pc.setLocalDescription(await pc.createOffer()); await gathered(); return pc.localDescription.sdp }
window.__plainAnswer = async (sdp) => { await pc.setRemoteDescription({ type: 'offer', sdp }); await pc.setLocalDescription(await pc.createAnswer()); await gathered(); return pc.localDescription.sdp }
window.__plainAccept = (sdp) => pc.setRemoteDescription({ type: 'answer', sdp })
window.__plainReady = true
</script></body></html>`

/**
 * Opens P (`large`) and Q (`small`), each in a browser context of its own, connects them and waits until both
 * draw the other's video. `close` ends both contexts.
 * @param {Browser} browser @param {string} origin @param {Viewport} large @param {Viewport} small
 */
export async function openPlainVideoPair(browser, origin, large, small) {
  const three = path.join(root, 'node_modules', 'three', 'build')
  /** @type {Record<string, { body: string | Buffer, type: string }>} */
  const files = {
    index: { body: PAGE, type: 'text/html' },
    'three.module.js': { body: readFileSync(path.join(three, 'three.module.js')), type: 'text/javascript' },
    'three.core.js': { body: readFileSync(path.join(three, 'three.core.js')), type: 'text/javascript' },
  }
  const open = async (/** @type {Viewport} */ viewport) => {
    const context = await browser.newContext({ viewport, permissions: ['camera', 'microphone'] })
    await context.route(`${origin}${BASE}**`, (route) => {
      const name = new URL(route.request().url()).pathname.slice(BASE.length) || 'index'
      const file = files[name]
      return file
        ? route.fulfill({ status: 200, contentType: file.type, body: file.body })
        : route.fulfill({ status: 404, body: 'not found' })
    })
    const page = await context.newPage()
    await page.goto(`${origin}${BASE}index`)
    await page.waitForFunction(() => /** @type {any} */ (window).__plainReady === true, undefined, {
      timeout: 30_000,
    })
    return { context, page }
  }
  const p = await open(large)
  const q = await open(small)
  const offer = await p.page.evaluate(() => /** @type {any} */ (window).__plainOffer())
  const answer = await q.page.evaluate((sdp) => /** @type {any} */ (window).__plainAnswer(sdp), offer)
  await p.page.evaluate((sdp) => /** @type {any} */ (window).__plainAccept(sdp), answer)
  for (const side of [p, q]) {
    await side.page.waitForFunction(() => /** @type {any} */ (window).__plainShowsVideo === true, undefined, {
      timeout: 30_000,
    })
  }
  return {
    /** @type {[Page, Page]} */
    pages: [p.page, q.page],
    close: async () => {
      await p.context.close()
      await q.context.close()
    },
  }
}
