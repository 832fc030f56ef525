import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { pdfjsAssets } from './server/pdfjs-assets-plugin.mjs'
import { singleWeightUiFont } from './server/ui-font-plugin.mjs'
import { consultServer } from './server/vite-plugin.mjs'

export default defineConfig({
  plugins: [react(), consultServer(), singleWeightUiFont(), pdfjsAssets()],
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
