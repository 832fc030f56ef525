// The one font the 3D captions and buttons use. uikit's built-in Inter module carries all four weights as
// base64 images (about 280 KB gzip); a Vite plugin (vite.config.ts) extracts the medium weight at build time, so a
// call downloads one weight, from this origin, only when the first text is drawn.
import type { FontFamilies } from '@pmndrs/uikit'

const loadInterMedium = () => import('virtual:ui-font/inter-medium').then((module) => module.default)

export const uiFontFamilies: FontFamilies = { inter: { medium: loadInterMedium } }
