import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'
import { pdfjsAssets } from './server/pdfjs-assets-plugin.mjs'
import { singleWeightUiFont } from './server/ui-font-plugin.mjs'
import { consultServer } from './server/vite-plugin.mjs'
import { yogaWasmFile } from './server/yoga-wasm-plugin.mjs'

/**
 * One import, by one set of importers only, resolved to a file of ours instead. Every other importer gets the real
 * module, so tree-shaking still keeps what they use.
 */
function redirectImport(options: { name: string; source: string; importers: RegExp; to: string }): Plugin {
  const target = fileURLToPath(new URL(options.to, import.meta.url))
  return {
    name: options.name,
    enforce: 'pre',
    resolveId(source, importer) {
      return source === options.source && options.importers.test(importer ?? '') ? target : null
    },
  }
}

const redirects = [
  // janode (the Janus client of large rooms) imports its Unix-socket transport, which needs Node's fs and a native
  // module, next to the WebSocket one the browser uses: the browser gets a stub in its place.
  redirectImport({
    name: 'janode-in-the-browser',
    source: './transport-unix.js',
    importers: /[\\/]janode[\\/]/,
    to: './src/net/janode-unix-stub.ts',
  }),
  // R3F's <Canvas> registers all of `three` as JSX elements, which keeps every class of three in the bundle; it gets
  // the scene's own list instead (src/scenes/three-catalogue.ts). R3F's core and every other module import `three`.
  redirectImport({
    name: 'three-catalogue-for-canvas',
    source: 'three',
    importers: /[\\/]@react-three[\\/]fiber[\\/]dist[\\/]react-three-fiber\.esm\.js$/,
    to: './src/scenes/three-catalogue.ts',
  }),
  // @pmndrs/xr creates a GLTFLoader at import and @react-three/xr's hand model names the class for useLoader, so the
  // real loader came with every 3D view though only a headset's controller and hand models use it: those two
  // modules get a stand-in that imports the real loader on first use (src/xr/lazy-gltf-loader.ts). Every other
  // importer, the stand-in included, gets the real GLTFLoader.
  redirectImport({
    name: 'lazy-gltf-loader-for-xr',
    source: 'three/examples/jsm/loaders/GLTFLoader.js',
    importers: /[\\/](@pmndrs[\\/]xr[\\/]dist[\\/]index|@react-three[\\/]xr[\\/]dist[\\/]hand)\.js$/,
    to: './src/xr/lazy-gltf-loader.ts',
  }),
  // @pmndrs/xr's teleport ray is the only user of meshline, and this app never teleports (src/xr/no-teleport-line.ts).
  redirectImport({
    name: 'no-teleport-line',
    source: 'meshline',
    importers: /[\\/]@pmndrs[\\/]xr[\\/]dist[\\/]teleport\.js$/,
    to: './src/xr/no-teleport-line.ts',
  }),
]

export default defineConfig({
  plugins: [react(), consultServer(), singleWeightUiFont(), pdfjsAssets(), ...redirects, yogaWasmFile()],
  resolve: {
    alias: {
      // PeerJS reads only the browser's name and version from webrtc-adapter; the real package's shims for
      // pre-2020 browsers cost about 14 KB gzip per call (see src/net/webrtc-adapter-lite.ts).
      'webrtc-adapter': fileURLToPath(new URL('./src/net/webrtc-adapter-lite.ts', import.meta.url)),
    },
  },
  server: {
    port: Number(process.env.PORT ?? 5173),
    // HTTPS=1 uses the same self-signed certificate as `npm start` (see server/app.mjs).
    https:
      process.env.HTTPS === '1'
        ? await import('./server/app.mjs').then((m) => m.loadOrCreateCertificate('.certs'))
        : undefined,
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
})
