// Modules made at build time by plugins in vite.config.ts.
declare module 'virtual:ui-font/inter-medium' {
  import type { FontInfo } from '@pmndrs/uikit'

  const font: FontInfo
  export default font
}

declare module 'virtual:yoga-wasm-url' {
  /** URL of uikit's layout engine (yoga) as a .wasm file; null in the dev server (server/yoga-wasm-plugin.mjs). */
  const url: string | null
  export default url
}
