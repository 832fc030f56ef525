// What a file is, by its bytes, never by its name or the type the browser guessed from the name: a renamed
// executable is not a PNG, and a PDF called "scan.jpg" is still shown as a PDF. Pure.

/** The formats that can be shared, each with the MIME type it is recorded and exported with. */
export const FORMATS = {
  png: { kind: 'image', mime: 'image/png', words: 'PNG image' },
  jpeg: { kind: 'image', mime: 'image/jpeg', words: 'JPEG image' },
  webp: { kind: 'image', mime: 'image/webp', words: 'WebP image' },
  pdf: { kind: 'pdf', mime: 'application/pdf', words: 'PDF document' },
  dicom: { kind: 'dicom', mime: 'application/dicom', words: 'DICOM image' },
  glb: { kind: 'model', mime: 'model/gltf-binary', words: '3D model (GLB)' },
  gltf: { kind: 'model', mime: 'model/gltf+json', words: '3D model (glTF)' },
} as const
export type Format = keyof typeof FORMATS
export type ItemKind = (typeof FORMATS)[Format]['kind']
export const FORMAT_NAMES = Object.keys(FORMATS) as [Format, ...Format[]]

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  if (bytes.length < at + signature.length) return false
  return signature.every((byte, i) => bytes[at + i] === byte)
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0))

/** The format the bytes are in, or null for anything we do not share. */
export function sniffFormat(bytes: Uint8Array): Format | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp'
  // PDF allows up to 1024 bytes of junk before the header; writers put it first.
  if (indexOf(bytes.subarray(0, 1024), ascii('%PDF-')) >= 0) return 'pdf'
  // Part 10: a 128-byte preamble, then "DICM".
  if (startsWith(bytes, ascii('DICM'), 128)) return 'dicom'
  if (startsWith(bytes, ascii('glTF'))) return 'glb'
  if (looksLikeGltfJson(bytes)) return 'gltf'
  return null
}

/** The first position of `needle` in `bytes`, or -1. */
export function indexOf(bytes: Uint8Array, needle: readonly number[], from = 0): number {
  outer: for (let i = from; i <= bytes.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

function looksLikeGltfJson(bytes: Uint8Array): boolean {
  let i = 0
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) i = 3
  while (
    i < bytes.length &&
    (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)
  )
    i++
  if (bytes[i] !== 0x7b) return false
  // A glTF's JSON names its asset version near the top; other JSON does not.
  return indexOf(bytes.subarray(0, 4096), ascii('"asset"')) >= 0
}
