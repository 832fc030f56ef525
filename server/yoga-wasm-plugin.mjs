// @ts-check
// Vite plugin: uikit's layout engine, yoga, ships its WebAssembly as a base64 string inside its JavaScript
// (yoga-layout/dist/binaries/yoga-wasm-base64-esm.js, 97 KB of its 121 KB, about 41 KB of the 3D view's gzip).
// In a build the bytes become a .wasm file beside the chunks, fetched by yoga's own loader: a third smaller than
// the base64 (gzip wins none of it back) and never parsed as JavaScript. `virtual:yoga-wasm-url` names the file,
// so the 3D view can fetch it beside its code and say so in words if it cannot (src/app/call-view.tsx); it is
// null in the dev server, which keeps yoga as it ships.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const MODULE = /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/
const URL_ID = 'virtual:yoga-wasm-url'
const RESOLVED_URL_ID = `\0${URL_ID}`
/**
 * Emscripten's glue: the wasm as a data URI, then, for a file name instead, that name made relative to the
 * script's directory. Both are replaced by the emitted file's absolute URL. If yoga's next release words this
 * differently the build fails here, rather than shipping a module that cannot find its wasm.
 */
const INLINE =
  /H="data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)";if\(!ua\(H\)\)\{var va=H;H=h\.locateFile\?h\.locateFile\(va,q\):q\+va\}/

/** @param {string} code */
function inlineWasm(code) {
  const base64 = INLINE.exec(code)?.[1]
  if (!base64)
    throw new Error('yoga-layout: its inline wasm was not where server/yoga-wasm-plugin.mjs expects it')
  return Buffer.from(base64, 'base64')
}

/** @returns {import('vite').Plugin} */
export function yogaWasmFile() {
  let build = false
  /** @type {string | null} */
  let ref = null
  return {
    name: 'xr-consult-yoga-wasm',
    configResolved(config) {
      build = config.command === 'build'
    },
    buildStart() {
      if (!build) return
      // Not require.resolve: yoga-layout's `exports` do not list this file.
      const glue = fileURLToPath(
        new URL('../node_modules/yoga-layout/dist/binaries/yoga-wasm-base64-esm.js', import.meta.url),
      )
      ref = this.emitFile({
        type: 'asset',
        name: 'yoga.wasm',
        source: inlineWasm(readFileSync(glue, 'utf8')),
      })
    },
    resolveId: (source) => (source === URL_ID ? RESOLVED_URL_ID : undefined),
    load(id) {
      if (id !== RESOLVED_URL_ID) return undefined
      return ref
        ? `export default new URL(import.meta.ROLLUP_FILE_URL_${ref}, import.meta.url).href`
        : 'export default null'
    },
    transform(code, id) {
      if (!ref || !MODULE.test(id)) return null
      inlineWasm(code)
      return {
        code: code.replace(
          INLINE,
          () => `H=new URL(import.meta.ROLLUP_FILE_URL_${ref},import.meta.url).href;`,
        ),
        map: null,
      }
    },
  }
}
