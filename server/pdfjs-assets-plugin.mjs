// @ts-check
// Vite plugin: pdf.js's standard fonts (the PDF base-14 fonts, as the open Foxit and Liberation files pdf.js
// ships) and its CMaps (character maps of CJK documents), served from our own origin under /pdfjs/. A PDF that
// does not embed its fonts then renders with the same glyphs on every device (not the device's own fonts, which
// would make two participants see different pixels), and nothing is fetched from elsewhere for it. In the build
// they are files of dist/ (about 2.5 MB, fetched only by a PDF that needs them); in dev, the same paths are served
// from node_modules.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const PDFJS_ROOT = fileURLToPath(new URL('../node_modules/pdfjs-dist/', import.meta.url))
/** The folders of pdfjs-dist that getDocument's standardFontDataUrl and cMapUrl point at. */
const FOLDERS = ['standard_fonts', 'cmaps']
/** Where they are served, below the app's base. */
export const PDFJS_ASSETS_PATH = 'pdfjs'

/** @returns {import('vite').Plugin} */
export function pdfjsAssets() {
  return {
    name: 'xr-consult-pdfjs-assets',
    async generateBundle() {
      for (const folder of FOLDERS) {
        const directory = path.join(PDFJS_ROOT, folder)
        for (const name of await readdir(directory)) {
          this.emitFile({
            type: 'asset',
            fileName: `${PDFJS_ASSETS_PATH}/${folder}/${name}`,
            source: await readFile(path.join(directory, name)),
          })
        }
      }
    },
    configureServer(server) {
      server.middlewares.use(`/${PDFJS_ASSETS_PATH}`, (request, response, next) => {
        const [folder, name, ...rest] = (request.url ?? '').split('?')[0]?.split('/').filter(Boolean) ?? []
        // Only a plain file name inside one of the two folders: no way up the tree.
        if (!folder || !FOLDERS.includes(folder) || !name || rest.length > 0 || !/^[\w.-]+$/.test(name)) {
          next()
          return
        }
        readFile(path.join(PDFJS_ROOT, folder, name)).then(
          (data) => {
            response.setHeader('Content-Type', 'application/octet-stream')
            response.end(data)
          },
          () => next(),
        )
      })
    },
  }
}
