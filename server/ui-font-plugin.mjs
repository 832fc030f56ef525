// @ts-check
// Vite plugin: `virtual:ui-font/inter-medium` is the medium weight of @pmndrs/msdfonts' Inter, alone. The package
// exports all four weights from one module, so importing it would ship all of them.
// In a build the glyph atlas (a lossless WebP, 67 KB) becomes a file of its own next to the chunks instead of a
// base64 data URL inside the module: base64 adds a third to the image and gzip wins none of it back (WebP is already
// compressed), and the browser decodes an image file off the main thread. uikit loads the page with three's
// TextureLoader from whatever URL `pages[0]` holds, so the module stays a plain font description.

const ID = 'virtual:ui-font/inter-medium'
const RESOLVED = `\0${ID}`
const DATA_URL = /^data:image\/webp;base64,/

/** @returns {import('vite').Plugin} */
export function singleWeightUiFont() {
  let build = false
  return {
    name: 'xr-consult-ui-font',
    configResolved(config) {
      build = config.command === 'build'
    },
    resolveId: (source) => (source === ID ? RESOLVED : undefined),
    async load(id) {
      if (id !== RESOLVED) return undefined
      const { inter } = await import('@pmndrs/msdfonts/inter')
      const font = inter.medium
      const page = font.pages[0]
      // The dev server cannot emit files: there the module keeps its data URL, as the package ships it.
      if (!build || font.pages.length !== 1 || page === undefined || !DATA_URL.test(page)) {
        return `export default ${JSON.stringify(font)}`
      }
      const ref = this.emitFile({
        type: 'asset',
        name: 'inter-medium.webp',
        source: Buffer.from(page.replace(DATA_URL, ''), 'base64'),
      })
      const { pages: _, ...rest } = font
      return `export default { ...${JSON.stringify(rest)}, pages: [new URL(import.meta.ROLLUP_FILE_URL_${ref}, import.meta.url).href] }`
    },
  }
}
