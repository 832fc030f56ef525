// @ts-check
// Vite plugin: `virtual:ui-font/inter-medium` is the medium weight of @pmndrs/msdfonts' Inter, alone. The package
// exports all four weights from one module, so importing it would ship all of them.

const ID = 'virtual:ui-font/inter-medium'
const RESOLVED = `\0${ID}`

/** @returns {import('vite').Plugin} */
export function singleWeightUiFont() {
  return {
    name: 'xr-consult-ui-font',
    resolveId: (source) => (source === ID ? RESOLVED : undefined),
    async load(id) {
      if (id !== RESOLVED) return undefined
      const { inter } = await import('@pmndrs/msdfonts/inter')
      return `export default ${JSON.stringify(inter.medium)}`
    },
  }
}
