// What a file must be to be shared, checked on the sharer's side before a single byte is sent (and again on every
// receiver's side after the transfer, since a peer's bytes are untrusted): within the size limit, of a format we
// recognise by its content, and readable as that format. A refusal is one plain sentence. Pure. Asynchronous only
// because the DICOM reader (dicom-parser) loads with the first DICOM file rather than with every call.
import { checkGltf } from './gltf'
import { FORMATS, type Format, indexOf, sniffFormat } from './sniff'

/** The default largest file, bytes (100 MB): a CT series export or a long PDF, not a video archive. */
export const DEFAULT_MAX_SHARE_BYTES = 100 * 1000 * 1000

export type Intake = { ok: true; format: Format } | { ok: false; sentence: string }

/** "12.3 MB", "850 KB", "17 bytes": sizes as people read them (decimal units, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`
  return `${bytes} bytes`
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0))

export async function checkFile(
  name: string,
  bytes: Uint8Array,
  maxBytes = DEFAULT_MAX_SHARE_BYTES,
): Promise<Intake> {
  const label = `“${name.slice(0, 80)}”`
  if (bytes.byteLength === 0) return { ok: false, sentence: `${label} is empty: nothing to share.` }
  if (bytes.byteLength > maxBytes) {
    return {
      ok: false,
      sentence: `${label} is ${formatBytes(bytes.byteLength)}; files up to ${formatBytes(maxBytes)} can be shared.`,
    }
  }
  const format = sniffFormat(bytes)
  if (!format) {
    return {
      ok: false,
      sentence: `${label} is not a file that can be shared here. You can share PNG, JPEG and WebP images, PDF documents, DICOM images and glTF/GLB 3D models.`,
    }
  }
  const words = FORMATS[format].words
  switch (format) {
    case 'pdf':
      // Every complete PDF ends with an end-of-file marker within its last kilobyte.
      if (indexOf(bytes.subarray(Math.max(0, bytes.length - 1024)), ascii('%%EOF')) < 0) {
        return { ok: false, sentence: `${label} looks like a ${words} but is damaged or incomplete.` }
      }
      break
    case 'dicom': {
      const { parseDicom } = await import('./dicom')
      const dicom = parseDicom(bytes)
      if (!dicom.ok) return { ok: false, sentence: `${label}: ${dicom.sentence}` }
      break
    }
    case 'glb':
    case 'gltf': {
      const gltf = checkGltf(bytes, format === 'glb')
      if (!gltf.ok) return { ok: false, sentence: `${label}: ${gltf.sentence}` }
      break
    }
    case 'png':
      // The header chunk follows the signature; a file cut within it is no image.
      if (bytes.length < 33 || indexOf(bytes.subarray(8, 16), ascii('IHDR')) < 0) {
        return { ok: false, sentence: `${label} looks like a ${words} but is damaged or incomplete.` }
      }
      break
    case 'jpeg':
    case 'webp':
      break
  }
  return { ok: true, format }
}
