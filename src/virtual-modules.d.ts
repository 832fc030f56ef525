// Modules made at build time by plugins in vite.config.ts.
declare module 'virtual:ui-font/inter-medium' {
  import type { FontInfo } from '@pmndrs/uikit'

  const font: FontInfo
  export default font
}
