// Small glTF 2.0 files for the tests: a GLB with one triangle in its binary chunk, and the same as .gltf JSON whose
// buffer is a data: URI or (refused) a file beside it.

function triangleBuffer(): Uint8Array {
  const positions = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0])
  return new Uint8Array(positions.buffer)
}

function gltfJson(bufferUri?: string) {
  return {
    asset: { version: '2.0', generator: 'xr-consult tests' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name: 'triangle' }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
    accessors: [
      { bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] },
    ],
    bufferViews: [{ buffer: 0, byteOffset: 0, byteLength: 36 }],
    buffers: [{ byteLength: 36, ...(bufferUri ? { uri: bufferUri } : {}) }],
  }
}

const pad4 = (n: number) => (n + 3) & ~3

/** A GLB of one triangle. */
export function makeGlb(json: object = gltfJson()): Uint8Array {
  return makeGlbWith(json, triangleBuffer())
}

/** A GLB: header, JSON chunk (space-padded), BIN chunk (zero-padded). */
export function makeGlbWith(json: object, bin: Uint8Array): Uint8Array {
  const jsonBytes = new TextEncoder().encode(JSON.stringify(json))
  const jsonLength = pad4(jsonBytes.length)
  const binLength = pad4(bin.length)
  const total = 12 + 8 + jsonLength + 8 + binLength
  const out = new Uint8Array(total)
  const view = new DataView(out.buffer)
  view.setUint32(0, 0x46546c67, true)
  view.setUint32(4, 2, true)
  view.setUint32(8, total, true)
  view.setUint32(12, jsonLength, true)
  view.setUint32(16, 0x4e4f534a, true)
  out.fill(0x20, 20, 20 + jsonLength)
  out.set(jsonBytes, 20)
  view.setUint32(20 + jsonLength, binLength, true)
  view.setUint32(24 + jsonLength, 0x004e4942, true)
  out.set(bin, 28 + jsonLength)
  return out
}

/** A .gltf whose buffer is embedded (a data: URI) or, with `external`, refers to a file beside it. */
export function makeGltfJson(external = false): Uint8Array {
  const bin = triangleBuffer()
  const uri = external
    ? 'triangle.bin'
    : `data:application/octet-stream;base64,${btoa(String.fromCharCode(...bin))}`
  return new TextEncoder().encode(JSON.stringify(gltfJson(uri)))
}

/** A GLB of a 10 cm cube (a solid a pointer can grab), with a part name. */
export function makeBoxGlb(): Uint8Array {
  const p: number[] = []
  const corners = (x: number, y: number, z: number) => [x * 0.05, y * 0.05, z * 0.05]
  // Six faces, two triangles each, counter-clockwise seen from outside.
  const faces: Array<[number[], number[], number[], number[]]> = [
    [corners(-1, -1, 1), corners(1, -1, 1), corners(1, 1, 1), corners(-1, 1, 1)],
    [corners(1, -1, -1), corners(-1, -1, -1), corners(-1, 1, -1), corners(1, 1, -1)],
    [corners(1, -1, 1), corners(1, -1, -1), corners(1, 1, -1), corners(1, 1, 1)],
    [corners(-1, -1, -1), corners(-1, -1, 1), corners(-1, 1, 1), corners(-1, 1, -1)],
    [corners(-1, 1, 1), corners(1, 1, 1), corners(1, 1, -1), corners(-1, 1, -1)],
    [corners(-1, -1, -1), corners(1, -1, -1), corners(1, -1, 1), corners(-1, -1, 1)],
  ]
  for (const [a, b, c, d] of faces) p.push(...a, ...b, ...c, ...a, ...c, ...d)
  const positions = new Float32Array(p)
  const json = {
    asset: { version: '2.0', generator: 'xr-consult tests' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name: 'cube' }],
    materials: [{ pbrMetallicRoughness: { baseColorFactor: [0.8, 0.2, 0.2, 1] } }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 }, material: 0 }] }],
    accessors: [
      {
        bufferView: 0,
        componentType: 5126,
        count: 36,
        type: 'VEC3',
        min: [-0.05, -0.05, -0.05],
        max: [0.05, 0.05, 0.05],
      },
    ],
    bufferViews: [{ buffer: 0, byteOffset: 0, byteLength: positions.byteLength }],
    buffers: [{ byteLength: positions.byteLength }],
  }
  return makeGlbWith(json, new Uint8Array(positions.buffer))
}
