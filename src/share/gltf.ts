// glTF 2.0 intake: a model is shared only if it is self-contained. Its buffers and images must be inside the file
// (a GLB's binary chunk, or data: URIs), because a viewer would otherwise fetch them from wherever the URI points,
// and nothing may be fetched from another origin during a consultation. Also checks the GLB container's lengths, so a
// truncated or padded file is refused before a loader reads past its end. Pure.

/** Most buffers, images and URIs we look at: a hand-made or exported model has a handful. */
const MAX_ENTRIES = 4096

export type GltfCheck = { ok: true; json: unknown } | { ok: false; sentence: string }

const GLB_MAGIC = 0x46546c67 // "glTF"
const CHUNK_JSON = 0x4e4f534a // "JSON"
const CHUNK_BIN = 0x004e4942 // "BIN\0"

function refuse(sentence: string): GltfCheck {
  return { ok: false, sentence }
}

const DAMAGED = 'This 3D model file is damaged or incomplete.'

/** Reads the JSON of a GLB (checking every length) or of a .gltf file. */
function readJson(bytes: Uint8Array, binary: boolean): { json: unknown; hasBin: boolean } | string {
  let text: Uint8Array
  let hasBin = false
  if (binary) {
    if (bytes.byteLength < 20) return DAMAGED
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (view.getUint32(0, true) !== GLB_MAGIC) return DAMAGED
    if (view.getUint32(4, true) !== 2) return 'This 3D model is glTF 1.0; only glTF 2.0 models can be shared.'
    const length = view.getUint32(8, true)
    if (length !== bytes.byteLength) return DAMAGED
    const jsonLength = view.getUint32(12, true)
    if (view.getUint32(16, true) !== CHUNK_JSON || 20 + jsonLength > length) return DAMAGED
    text = bytes.subarray(20, 20 + jsonLength)
    let at = 20 + jsonLength
    while (at < length) {
      if (at + 8 > length) return DAMAGED
      const chunkLength = view.getUint32(at, true)
      const type = view.getUint32(at + 4, true)
      if (at + 8 + chunkLength > length) return DAMAGED
      if (type === CHUNK_BIN) hasBin = true
      at += 8 + chunkLength
    }
  } else {
    text = bytes
  }
  try {
    return { json: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text)) as unknown, hasBin }
  } catch {
    return DAMAGED
  }
}

function entries(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value)
    ? value
        .slice(0, MAX_ENTRIES)
        .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    : []
}

/** Whether a URI stays inside the file: a data: URI. Anything else would be fetched from somewhere. */
function isEmbedded(uri: unknown): boolean {
  return typeof uri === 'string' && /^data:/i.test(uri.trim())
}

/** Most parts listed for a model, and the longest part name kept (as the shared view's `part`). */
export const MAX_PARTS = 200
export const MAX_PART_NAME = 100

/**
 * The named parts of a model (already checked by checkGltf): the names of its nodes that hold a mesh or other
 * nodes, each once, in the file's order; what a viewer offers to highlight. Empty for a file it cannot read.
 */
export function modelParts(bytes: Uint8Array, binary: boolean): string[] {
  const read = readJson(bytes, binary)
  if (typeof read === 'string' || typeof read.json !== 'object' || read.json === null) return []
  const names = new Set<string>()
  for (const node of entries((read.json as Record<string, unknown>).nodes)) {
    const name = typeof node.name === 'string' ? node.name.trim() : ''
    const hasContent = node.mesh !== undefined || (Array.isArray(node.children) && node.children.length > 0)
    if (name && name.length <= MAX_PART_NAME && hasContent) names.add(name)
    if (names.size >= MAX_PARTS) break
  }
  return [...names]
}

export function checkGltf(bytes: Uint8Array, binary: boolean): GltfCheck {
  const read = readJson(bytes, binary)
  if (typeof read === 'string') return refuse(read)
  const { json, hasBin } = read
  if (typeof json !== 'object' || json === null) return refuse(DAMAGED)
  const gltf = json as Record<string, unknown>
  const asset = gltf.asset as { version?: unknown } | undefined
  if (typeof asset?.version !== 'string' || !asset.version.startsWith('2.')) {
    return refuse('This is not a glTF 2.0 model.')
  }
  const external = [...entries(gltf.buffers), ...entries(gltf.images)].filter(
    (entry) => entry.uri !== undefined && !isEmbedded(entry.uri),
  )
  if (external.length > 0) {
    const first = String(external[0]?.uri).slice(0, 60)
    return refuse(
      `This 3D model refers to ${external.length === 1 ? 'a file' : `${external.length} files`} outside it (“${first}”), which would have to be fetched from elsewhere. Share it as a single self-contained GLB (e.g. export as .glb with textures embedded).`,
    )
  }
  // A buffer without a URI is the GLB's binary chunk: it must be there.
  const wantsBin = entries(gltf.buffers).some((buffer) => buffer.uri === undefined)
  if (wantsBin && !hasBin) return refuse(DAMAGED)
  return { ok: true, json }
}
