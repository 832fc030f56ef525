// DICOM Part 10 images: read with dicom-parser (maintained by the Cornerstone project), checked before anything
// is shown or sent, and turned into 8-bit pixels for a window (centre/width) as DICOM PS3.3 C.11.2.1.2 defines it.
// Pure: bytes in, numbers and RGBA pixels out, so the grey levels are tested in Node.
//
// What is supported, and why: uncompressed pixel data (implicit or explicit VR little endian, which is what modalities
// and PACS exports write by default), 8- or 16-bit, signed or not, MONOCHROME1 (shown inverted, as it is meant to be
// read), MONOCHROME2 and 8-bit RGB (interleaved or planar), one frame or many. Compressed transfer syntaxes (JPEG,
// JPEG 2000, RLE) would need codecs we do not ship: such a file is refused in a sentence, not shown wrongly.
import * as dicomParserModule from 'dicom-parser'

// A UMD bundle: Vite gives its exports as a namespace, Node as `default`.
const dicomParser = ((dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ??
  dicomParserModule) as typeof dicomParserModule

/** Transfer syntaxes whose pixel data we can read as they are. */
export const UNCOMPRESSED_SYNTAXES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2': 'implicit VR little endian',
  '1.2.840.10008.1.2.1': 'explicit VR little endian',
}

/** Largest side of an image we show, pixels: beyond any modality's (a mammogram is about 4,000 × 5,000). */
export const MAX_DICOM_SIDE = 8192
/** Most frames: a long cine loop or a CT volume stored as one multi-frame object. */
export const MAX_DICOM_FRAMES = 2000

export type Photometric = 'MONOCHROME1' | 'MONOCHROME2' | 'RGB'

export interface DicomWindow {
  /** In the modality's units (after rescale), e.g. Hounsfield units for CT. */
  centre: number
  /** > 0 */
  width: number
  /** What the file or the preset calls it. */
  label: string
}

export interface DicomImage {
  rows: number
  columns: number
  frames: number
  photometric: Photometric
  samplesPerPixel: 1 | 3
  bitsAllocated: 8 | 16
  bitsStored: number
  signed: boolean
  /** 0: RGBRGB…, 1: RR…GG…BB… */
  planar: 0 | 1
  slope: number
  intercept: number
  modality: string
  /** Windows the file suggests (Window Center/Width), in order. */
  windows: DicomWindow[]
  /** The smallest and largest modality value in the first frame: the "full range" window. */
  range: { min: number; max: number }
  /** The pixel data, all frames. */
  pixels: Uint8Array
}

export type DicomResult = { ok: true; image: DicomImage } | { ok: false; sentence: string }

function refuse(sentence: string): DicomResult {
  return { ok: false, sentence }
}

function numbers(text: string | undefined): number[] {
  if (!text) return []
  return text
    .split('\\')
    .map((part) => Number(part.trim()))
    .filter((value) => Number.isFinite(value))
}

/** Reads and checks a DICOM Part 10 file; a sentence for a person says why one cannot be shown. */
export function parseDicom(bytes: Uint8Array): DicomResult {
  let dataSet: ReturnType<typeof dicomParser.parseDicom>
  try {
    dataSet = dicomParser.parseDicom(bytes)
  } catch {
    return refuse('This DICOM file is damaged or incomplete (it could not be read to the end).')
  }
  const syntax = (dataSet.string('x00020010') ?? '').replace(/\0/g, '').trim()
  if (!(syntax in UNCOMPRESSED_SYNTAXES)) {
    return refuse(
      `This DICOM file's images are compressed (transfer syntax ${syntax || 'unknown'}); only uncompressed DICOM images can be shared. Export it uncompressed from the PACS and share that.`,
    )
  }
  const pixelElement = dataSet.elements.x7fe00010
  if (!pixelElement) return refuse('This DICOM file holds no image (a report or a structured document).')
  if (pixelElement.encapsulatedPixelData) return refuse('This DICOM file’s images are compressed.')
  const rows = dataSet.uint16('x00280010') ?? 0
  const columns = dataSet.uint16('x00280011') ?? 0
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1
  const bitsAllocated = dataSet.uint16('x00280100') ?? 0
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated
  const signed = (dataSet.uint16('x00280103') ?? 0) === 1
  const planar = (dataSet.uint16('x00280006') ?? 0) === 1 ? 1 : 0
  const photometric = (dataSet.string('x00280004') ?? '').trim()
  const frames = Math.max(1, Math.floor(Number(dataSet.string('x00280008') ?? '1') || 1))
  if (rows < 1 || columns < 1 || rows > MAX_DICOM_SIDE || columns > MAX_DICOM_SIDE) {
    return refuse(`This DICOM image has an impossible size (${columns} × ${rows} pixels).`)
  }
  if (frames > MAX_DICOM_FRAMES)
    return refuse(`This DICOM file has ${frames} frames; at most ${MAX_DICOM_FRAMES} can be shown.`)
  const grey = photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2'
  if (!((grey && samplesPerPixel === 1) || (photometric === 'RGB' && samplesPerPixel === 3))) {
    return refuse(
      `This DICOM image is stored as ${photometric || 'an unknown colour model'}; greyscale (MONOCHROME1/2) and RGB images can be shown.`,
    )
  }
  if (!(bitsAllocated === 8 || bitsAllocated === 16) || (photometric === 'RGB' && bitsAllocated !== 8)) {
    return refuse(`This DICOM image uses ${bitsAllocated} bits per sample, which cannot be shown here.`)
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated)
    return refuse('This DICOM image’s bit depth is inconsistent.')
  const frameBytes = rows * columns * samplesPerPixel * (bitsAllocated / 8)
  const needed = frameBytes * frames
  if (pixelElement.length < needed || pixelElement.dataOffset + needed > bytes.byteLength) {
    return refuse('This DICOM file is damaged or incomplete: its image data is shorter than its size says.')
  }
  const slope = Number(dataSet.string('x00281053') ?? '1') || 1
  const intercept = Number(dataSet.string('x00281052') ?? '0') || 0
  const centres = numbers(dataSet.string('x00281050'))
  const widths = numbers(dataSet.string('x00281051'))
  const explanations = (dataSet.string('x00281055') ?? '').split('\\')
  const windows: DicomWindow[] = []
  for (let i = 0; i < Math.min(centres.length, widths.length, 8); i++) {
    const width = widths[i] ?? 0
    if (width >= 1) {
      windows.push({
        centre: centres[i] ?? 0,
        width,
        label: explanations[i]?.trim() || (i === 0 ? 'From the file' : `From the file (${i + 1})`),
      })
    }
  }
  const pixels = bytes.subarray(pixelElement.dataOffset, pixelElement.dataOffset + needed)
  const image: DicomImage = {
    rows,
    columns,
    frames,
    photometric: photometric as Photometric,
    samplesPerPixel: samplesPerPixel as 1 | 3,
    bitsAllocated: bitsAllocated as 8 | 16,
    bitsStored,
    signed,
    planar,
    slope,
    intercept,
    modality: (dataSet.string('x00080060') ?? '').trim(),
    windows,
    range: { min: 0, max: 0 },
    pixels,
  }
  image.range = valueRange(image, 0)
  return { ok: true, image }
}

/** The stored value of sample `index` of `frame`, as the modality's value (rescaled). */
function readerFor(image: DicomImage, frame: number): (index: number) => number {
  const { pixels, bitsAllocated, bitsStored, signed, slope, intercept } = image
  const samplesPerFrame = image.rows * image.columns * image.samplesPerPixel
  if (bitsAllocated === 8) {
    const start = frame * samplesPerFrame
    return (index) => {
      const raw = pixels[start + index] ?? 0
      return (signed && raw >= 128 ? raw - 256 : raw) * slope + intercept
    }
  }
  const view = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength)
  const start = frame * samplesPerFrame * 2
  const mask = bitsStored >= 16 ? 0xffff : (1 << bitsStored) - 1
  const signBit = 1 << (bitsStored - 1)
  return (index) => {
    let raw = view.getUint16(start + index * 2, true) & mask
    if (signed && raw & signBit) raw -= mask + 1
    return raw * slope + intercept
  }
}

function valueRange(image: DicomImage, frame: number): { min: number; max: number } {
  if (image.photometric === 'RGB') return { min: 0, max: 255 }
  const read = readerFor(image, frame)
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (let i = 0; i < image.rows * image.columns; i++) {
    const value = read(i)
    if (value < min) min = value
    if (value > max) max = value
  }
  return { min, max }
}

/**
 * The linear VOI function of DICOM PS3.3 C.11.2.1.2.1: values at or below the window's bottom are black, above its
 * top white, in between a straight line. Returns 0..255.
 */
export function windowLevel(value: number, centre: number, width: number): number {
  const w = Math.max(1, width)
  const c = centre - 0.5
  if (value <= c - (w - 1) / 2) return 0
  if (value > c + (w - 1) / 2) return 255
  return ((value - c) / (w - 1) + 0.5) * 255
}

/**
 * Presets a clinician picks from: the file's own windows first, then for CT the usual ones (soft tissue, lung,
 * bone, brain), and always the image's full range.
 */
export function windowPresets(image: DicomImage): DicomWindow[] {
  const presets = [...image.windows]
  if (image.modality === 'CT') {
    presets.push(
      { centre: 40, width: 400, label: 'Soft tissue' },
      { centre: -600, width: 1500, label: 'Lung' },
      { centre: 400, width: 1800, label: 'Bone' },
      { centre: 40, width: 80, label: 'Brain' },
    )
  }
  const { min, max } = image.range
  presets.push({ centre: (min + max) / 2 + 0.5, width: Math.max(1, max - min + 1), label: 'Full range' })
  return presets
}

/** The window shown first: the file's own, or the full range. */
export function defaultWindow(image: DicomImage): DicomWindow {
  return windowPresets(image)[0] as DicomWindow
}

/**
 * One frame as RGBA pixels (rows × columns × 4) for `window` (ignored for RGB images). MONOCHROME1 is inverted:
 * its lowest values are white.
 */
export function renderDicomFrame(
  image: DicomImage,
  frame: number,
  window: { centre: number; width: number },
): Uint8ClampedArray {
  const count = image.rows * image.columns
  const out = new Uint8ClampedArray(count * 4)
  const index = Math.min(Math.max(0, Math.floor(frame)), image.frames - 1)
  if (image.photometric === 'RGB') {
    const start = index * count * 3
    const { pixels, planar } = image
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < 3; c++) {
        out[i * 4 + c] = pixels[start + (planar === 0 ? i * 3 + c : c * count + i)] ?? 0
      }
      out[i * 4 + 3] = 255
    }
    return out
  }
  const read = readerFor(image, index)
  const invert = image.photometric === 'MONOCHROME1'
  for (let i = 0; i < count; i++) {
    const grey = windowLevel(read(i), window.centre, window.width)
    const shown = invert ? 255 - grey : grey
    out[i * 4] = shown
    out[i * 4 + 1] = shown
    out[i * 4 + 2] = shown
    out[i * 4 + 3] = 255
  }
  return out
}
