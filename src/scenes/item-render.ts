// The pictures of shared items: an image, a PDF page (pdf.js, its worker served from our own origin) or a DICOM
// frame at a window, drawn into a canvas for a view (page, zoom, window). The 3D panels use the canvas as a texture
// and the DOM viewer copies it, so both show the same pixels. No three.js and no React here: the DOM shell imports
// this without loading the 3D stack, and pdf.js itself loads only when the first PDF is opened.
import type { DicomImage, DicomWindow } from '../share/dicom'
import type { Format } from '../share/sniff'
import type { ItemView } from '../share/wire'

/** Longest side of a rendered picture, pixels: sharp on a 0.6 m panel at arm's length and in the DOM viewer. */
export const PICTURE_SIDE = 1400

export interface OpenedItem {
  /** Pages of a document, frames of a DICOM image, 1 for an image. */
  pages: number
  /** Width / height of the page at `page` (before zoom). */
  aspect(page: number): number
  /** Draws `view` into `canvas` (resized to fit PICTURE_SIDE). */
  render(view: ItemView, canvas: HTMLCanvasElement): Promise<void>
  /** DICOM: the windows to pick from, the file's first. */
  windows: DicomWindow[]
  /** DICOM: the image's value range, for dragging the window. */
  range: { min: number; max: number } | null
  dispose(): void
}

/**
 * Where a point of the page (u, v: fractions of its width and height from its top left, what a mark on a page
 * stores) is in the picture drawn at `zoom` (the same fractions of the picture), as drawZoomed crops it; outside
 * [0, 1] when zoomed out of sight.
 */
export function pageToPicture(u: number, v: number, zoom: number): [number, number] {
  const z = Math.max(1, zoom)
  return [(u - 0.5) * z + 0.5, (v - 0.5) * z + 0.5]
}

/** The inverse of pageToPicture: a point of the picture (a click on it) as a point of the page. */
export function pictureToPage(x: number, y: number, zoom: number): [number, number] {
  const z = Math.max(1, zoom)
  return [(x - 0.5) / z + 0.5, (y - 0.5) / z + 0.5]
}

/** Draws the centre 1/zoom of `source` onto the whole of `canvas`. */
function drawZoomed(
  canvas: HTMLCanvasElement,
  source: CanvasImageSource,
  width: number,
  height: number,
  zoom: number,
) {
  const context = canvas.getContext('2d')
  if (!context) return
  const z = Math.max(1, zoom)
  const sw = width / z
  const sh = height / z
  context.imageSmoothingEnabled = true
  context.fillStyle = '#ffffff'
  context.fillRect(0, 0, canvas.width, canvas.height)
  context.drawImage(source, (width - sw) / 2, (height - sh) / 2, sw, sh, 0, 0, canvas.width, canvas.height)
}

/** Sizes `canvas` to `aspect` within PICTURE_SIDE. */
function fit(canvas: HTMLCanvasElement, aspect: number) {
  const width = aspect >= 1 ? PICTURE_SIDE : Math.round(PICTURE_SIDE * aspect)
  const height = aspect >= 1 ? Math.round(PICTURE_SIDE / aspect) : PICTURE_SIDE
  if (canvas.width !== width) canvas.width = width
  if (canvas.height !== height) canvas.height = height
}

async function openImage(bytes: Uint8Array, mime: string): Promise<OpenedItem> {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }))
  const aspect = bitmap.width / bitmap.height
  return {
    pages: 1,
    aspect: () => aspect,
    windows: [],
    range: null,
    async render(view, canvas) {
      fit(canvas, aspect)
      drawZoomed(canvas, bitmap, bitmap.width, bitmap.height, view.zoom)
    },
    dispose: () => bitmap.close(),
  }
}

type PdfJs = typeof import('pdfjs-dist')
let pdfjs: Promise<PdfJs> | null = null
let pdfWorker: InstanceType<PdfJs['PDFWorker']> | null = null

/** pdf.js and its worker, both from our origin (Vite emits the worker as a file of the build). */
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]).then(
    ([module, worker]) => {
      module.GlobalWorkerOptions.workerSrc = worker.default
      return module
    },
  )
  return pdfjs
}

/**
 * One pdf.js worker for every document of the page. Left to itself pdf.js starts a worker per document, each
 * loading and compiling its 1.2 MB script: traced here, 40–46 % of a core over the first half second of every
 * shared PDF, on the sharer's device while its transfer to the others starts (under 2 % with one worker). A document
 * destroyed leaves a worker it was given running.
 */
function sharedPdfWorker(module: PdfJs) {
  if (!pdfWorker || pdfWorker.destroyed) pdfWorker = new module.PDFWorker()
  return pdfWorker
}

async function openPdf(bytes: Uint8Array): Promise<OpenedItem> {
  const module = await loadPdfJs()
  // A copy: pdf.js transfers the buffer to its worker, and the item keeps its bytes for others to fetch.
  const task = module.getDocument({
    worker: sharedPdfWorker(module),
    data: bytes.slice(),
    // No script in a shared document runs, and nothing is fetched from anywhere but our origin: the fonts a PDF
    // does not embed and the CJK character maps come from our server (server/pdfjs-assets-plugin.mjs), and pdf.js
    // uses them rather than the device's own fonts, so every participant sees the same glyphs.
    standardFontDataUrl: new URL('pdfjs/standard_fonts/', globalThis.document.baseURI).href,
    cMapUrl: new URL('pdfjs/cmaps/', globalThis.document.baseURI).href,
    cMapPacked: true,
    useSystemFonts: false,
    isEvalSupported: false,
    enableXfa: false,
    disableAutoFetch: true,
    disableStream: true,
  })
  const document = await task.promise
  const aspects = new Map<number, number>()
  const pageAspect = async (index: number) => {
    const page = await document.getPage(index + 1)
    const viewport = page.getViewport({ scale: 1 })
    aspects.set(index, viewport.width / viewport.height)
    return { page, viewport }
  }
  await pageAspect(0)
  // Per target canvas: a newer view cancels that canvas's older rendering, never another view's (the DOM viewer and
  // the 3D panel draw the same document at once).
  const renderings = new WeakMap<HTMLCanvasElement, { cancel(): void }>()
  const live = new Set<{ cancel(): void }>()
  return {
    pages: document.numPages,
    aspect: (page) => aspects.get(page) ?? aspects.get(0) ?? 1 / Math.SQRT2,
    windows: [],
    range: null,
    async render(view, canvas) {
      const index = Math.min(Math.max(0, view.page), document.numPages - 1)
      const { page, viewport } = await pageAspect(index)
      const scale = PICTURE_SIDE / Math.max(viewport.width, viewport.height)
      const scaled = page.getViewport({ scale })
      const scratch = globalThis.document.createElement('canvas')
      scratch.width = Math.round(scaled.width)
      scratch.height = Math.round(scaled.height)
      renderings.get(canvas)?.cancel()
      const task = page.render({ canvas: scratch, viewport: scaled, background: '#ffffff' })
      renderings.set(canvas, task)
      live.add(task)
      try {
        await task.promise
      } catch (error) {
        if ((error as { name?: string }).name === 'RenderingCancelledException') return
        throw error
      } finally {
        live.delete(task)
      }
      fit(canvas, scaled.width / scaled.height)
      drawZoomed(canvas, scratch, scratch.width, scratch.height, view.zoom)
    },
    dispose: () => {
      for (const task of live) task.cancel()
      void document.destroy()
    },
  }
}

async function openDicom(bytes: Uint8Array): Promise<OpenedItem> {
  // dicom-parser loads with the first DICOM file, not with every call.
  const { defaultWindow, parseDicom, renderDicomFrame, windowPresets } = await import('../share/dicom')
  const parsed = parseDicom(bytes)
  if (!parsed.ok) throw new Error(parsed.sentence)
  const image: DicomImage = parsed.image
  const aspect = image.columns / image.rows
  const scratch = document.createElement('canvas')
  scratch.width = image.columns
  scratch.height = image.rows
  return {
    pages: image.frames,
    aspect: () => aspect,
    windows: windowPresets(image),
    range: image.range,
    async render(view, canvas) {
      const window = view.window ?? defaultWindow(image)
      const pixels = renderDicomFrame(image, view.page, window)
      scratch
        .getContext('2d')
        ?.putImageData(
          new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, image.columns, image.rows),
          0,
          0,
        )
      fit(canvas, aspect)
      // Pixels stay pixels: a radiologist reads edges, not a smoothed guess between them.
      const context = canvas.getContext('2d')
      if (context) context.imageSmoothingEnabled = false
      const z = Math.max(1, view.zoom)
      const sw = image.columns / z
      const sh = image.rows / z
      context?.drawImage(
        scratch,
        (image.columns - sw) / 2,
        (image.rows - sh) / 2,
        sw,
        sh,
        0,
        0,
        canvas.width,
        canvas.height,
      )
    },
    dispose: () => undefined,
  }
}

/** Opens an item for drawing; rejects with an Error whose message is a sentence when it cannot be shown. */
export async function openItem(format: Format, mime: string, bytes: Uint8Array): Promise<OpenedItem> {
  try {
    switch (format) {
      case 'png':
      case 'jpeg':
      case 'webp':
        return await openImage(bytes, mime)
      case 'pdf':
        return await openPdf(bytes)
      case 'dicom':
        return await openDicom(bytes)
      case 'glb':
      case 'gltf':
        throw new Error('A 3D model is shown on its stand in the 3D view.')
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : ''
    throw new Error(
      /[.!?]$/.test(message) && message.length < 300
        ? message
        : 'This file could not be opened: it may be damaged.',
    )
  }
}

/**
 * One opened item per id for the page, shared by the DOM viewer and the 3D panel (pdf.js parses a document once),
 * released when no view holds it any more.
 */
const opened = new Map<string, { promise: Promise<OpenedItem>; users: number }>()

export function acquireItem(
  id: string,
  format: Format,
  mime: string,
  bytes: Uint8Array,
): Promise<OpenedItem> {
  let entry = opened.get(id)
  if (!entry) {
    entry = { promise: openItem(format, mime, bytes), users: 0 }
    opened.set(id, entry)
  }
  entry.users += 1
  return entry.promise
}

export function releaseItem(id: string) {
  const entry = opened.get(id)
  if (!entry) return
  entry.users -= 1
  if (entry.users > 0) return
  opened.delete(id)
  entry.promise.then((item) => item.dispose()).catch(() => undefined)
}
