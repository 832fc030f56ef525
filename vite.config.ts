import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'
import { pdfjsAssets } from './server/pdfjs-assets-plugin.mjs'
import { singleWeightUiFont } from './server/ui-font-plugin.mjs'
import { consultServer } from './server/vite-plugin.mjs'
import { yogaWasmFile } from './server/yoga-wasm-plugin.mjs'

/**
 * janode (the Janus client of large rooms) imports its Unix-socket transport, which needs Node's fs and a native
 * module, next to the WebSocket one the browser uses: the browser gets a stub in its place.
 */
function janodeInTheBrowser(): Plugin {
  const stub = fileURLToPath(new URL('./src/net/janode-unix-stub.ts', import.meta.url))
  return {
    name: 'janode-in-the-browser',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './transport-unix.js' && importer?.includes('/janode/')) return stub
      return null
    },
  }
}

/**
 * R3F's <Canvas> registers all of `three` as JSX elements, which keeps every class of three in the bundle; it gets
 * the scene's own list instead (src/scenes/three-catalogue.ts). Only that one import is redirected: R3F's core and
 * every other module import the real `three`, and tree-shaking keeps what they use.
 */
function threeCatalogueForCanvas(): Plugin {
  const catalogue = fileURLToPath(new URL('./src/scenes/three-catalogue.ts', import.meta.url))
  return {
    name: 'three-catalogue-for-canvas',
    enforce: 'pre',
    resolveId(source, importer) {
      if (
        source === 'three' &&
        /[\\/]@react-three[\\/]fiber[\\/]dist[\\/]react-three-fiber\.esm\.js$/.test(importer ?? '')
      )
        return catalogue
      return null
    },
  }
}

/**
 * @pmndrs/xr creates a GLTFLoader at import and @react-three/xr's hand model names the class for useLoader, so the
 * real loader came with every 3D view though only a headset's controller and hand models use it: those two modules
 * get a stand-in that imports the real loader on first use (src/xr/lazy-gltf-loader.ts). Every other importer,
 * the stand-in included, gets the real GLTFLoader.
 */
function lazyGltfLoaderForXr(): Plugin {
  const standIn = fileURLToPath(new URL('./src/xr/lazy-gltf-loader.ts', import.meta.url))
  const importers = [
    /[\\/]@pmndrs[\\/]xr[\\/]dist[\\/]index\.js$/,
    /[\\/]@react-three[\\/]xr[\\/]dist[\\/]hand\.js$/,
  ]
  return {
    name: 'lazy-gltf-loader-for-xr',
    enforce: 'pre',
    resolveId(source, importer) {
      if (
        source === 'three/examples/jsm/loaders/GLTFLoader.js' &&
        importers.some((pattern) => pattern.test(importer ?? ''))
      )
        return standIn
      return null
    },
  }
}

/** @pmndrs/xr's teleport ray is the only user of meshline, and this app never teleports (src/xr/no-teleport-line.ts). */
function noTeleportLine(): Plugin {
  const stub = fileURLToPath(new URL('./src/xr/no-teleport-line.ts', import.meta.url))
  return {
    name: 'no-teleport-line',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === 'meshline' && /[\\/]@pmndrs[\\/]xr[\\/]dist[\\/]teleport\.js$/.test(importer ?? ''))
        return stub
      return null
    },
  }
}

export default defineConfig({
  plugins: [
    react(),
    consultServer(),
    singleWeightUiFont(),
    pdfjsAssets(),
    janodeInTheBrowser(),
    threeCatalogueForCanvas(),
    lazyGltfLoaderForXr(),
    noTeleportLine(),
    yogaWasmFile(),
  ],
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
