// @ts-check
// Builds the education models in public/models from primitives, so their licence is ours (the repository's): a
// heart with its chambers, great vessels and valves, a knee joint with its bones, menisci and ligaments, and a lumbar
// segment (L4-L5) with the disc, processes and nerve roots. Schematic, not anatomical scans: they are for explaining,
// in a consultation, where something is. Every part is its own named node (the name a clinician reads), so a viewer
// can highlight and label it. Run: node scripts/build-models.mjs (npm run models).
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Document, NodeIO } from '@gltf-transform/core'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** A unit sphere (radius 1) as positions, normals and indices. */
function sphere(segments = 32, rings = 20) {
  const positions = []
  const indices = []
  for (let r = 0; r <= rings; r++) {
    const phi = (r / rings) * Math.PI
    for (let s = 0; s <= segments; s++) {
      const theta = (s / segments) * Math.PI * 2
      positions.push(Math.sin(phi) * Math.cos(theta), Math.cos(phi), Math.sin(phi) * Math.sin(theta))
    }
  }
  for (let r = 0; r < rings; r++)
    for (let s = 0; s < segments; s++) {
      const a = r * (segments + 1) + s
      const b = a + segments + 1
      indices.push(a, a + 1, b, b, a + 1, b + 1)
    }
  return { positions, normals: [...positions], indices }
}

/** A closed unit cylinder (radius 1, height 1, centred, along y). */
function cylinder(segments = 32) {
  const positions = []
  const normals = []
  const indices = []
  for (let s = 0; s <= segments; s++) {
    const theta = (s / segments) * Math.PI * 2
    const x = Math.cos(theta)
    const z = Math.sin(theta)
    positions.push(x, -0.5, z, x, 0.5, z)
    normals.push(x, 0, z, x, 0, z)
  }
  for (let s = 0; s < segments; s++) {
    const a = s * 2
    indices.push(a, a + 1, a + 2, a + 2, a + 1, a + 3)
  }
  for (const y of [-0.5, 0.5]) {
    const centre = positions.length / 3
    positions.push(0, y, 0)
    normals.push(0, Math.sign(y), 0)
    for (let s = 0; s <= segments; s++) {
      const theta = (s / segments) * Math.PI * 2
      positions.push(Math.cos(theta), y, Math.sin(theta))
      normals.push(0, Math.sign(y), 0)
    }
    for (let s = 0; s < segments; s++) {
      if (y > 0) indices.push(centre, centre + s + 2, centre + s + 1)
      else indices.push(centre, centre + s + 1, centre + s + 2)
    }
  }
  return { positions, normals, indices }
}

/** A unit box (1 × 1 × 1, centred). */
function box() {
  const positions = []
  const normals = []
  const indices = []
  const faces = [
    [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
    [
      [-1, 0, 0],
      [0, 1, 0],
      [0, 0, -1],
    ],
    [
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ],
    [
      [0, -1, 0],
      [0, 0, -1],
      [1, 0, 0],
    ],
    [
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ],
    [
      [0, 0, -1],
      [-1, 0, 0],
      [0, 1, 0],
    ],
  ]
  for (const [n, u, v] of faces) {
    const start = positions.length / 3
    for (const [a, b] of [
      [-1, -1],
      [1, -1],
      [1, 1],
      [-1, 1],
    ]) {
      positions.push(...n.map((c, i) => c * 0.5 + (u[i] * a + v[i] * b) * 0.5))
      normals.push(...n)
    }
    indices.push(start, start + 1, start + 2, start, start + 2, start + 3)
  }
  return { positions, normals, indices }
}

/** A rotation about an axis as a quaternion [x, y, z, w]. */
function rotation(axis, degrees) {
  const half = (degrees * Math.PI) / 360
  const length = Math.hypot(...axis)
  return [...axis.map((c) => (c / length) * Math.sin(half)), Math.cos(half)]
}

/**
 * One model: `parts` are [name, shape, colour (sRGB 0-255), translation, scale, rotation?], metres.
 * @param {string} file @param {string} title
 * @param {Array<[string, 'sphere' | 'cylinder' | 'box', number[], number[], number[], number[]?]>} parts
 */
async function build(file, title, parts) {
  const document = new Document()
  document.getRoot().getAsset().generator = 'xr-consult scripts/build-models.mjs'
  const buffer = document.createBuffer()
  const shapes = {}
  for (const [kind, make] of Object.entries({ sphere, cylinder, box })) {
    const geometry = make()
    shapes[kind] = {
      position: document
        .createAccessor()
        .setType('VEC3')
        .setArray(new Float32Array(geometry.positions))
        .setBuffer(buffer),
      normal: document
        .createAccessor()
        .setType('VEC3')
        .setArray(new Float32Array(geometry.normals))
        .setBuffer(buffer),
      indices: document
        .createAccessor()
        .setType('SCALAR')
        .setArray(new Uint16Array(geometry.indices))
        .setBuffer(buffer),
    }
  }
  const scene = document.createScene(title)
  const group = document.createNode(title)
  scene.addChild(group)
  const linear = (c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4)
  for (const [name, kind, colour, translation, scale, turn] of parts) {
    const shape = shapes[kind]
    const material = document
      .createMaterial(name)
      .setBaseColorFactor([...colour.map(linear), 1])
      .setRoughnessFactor(0.55)
      .setMetallicFactor(0)
    const primitive = document
      .createPrimitive()
      .setAttribute('POSITION', shape.position)
      .setAttribute('NORMAL', shape.normal)
      .setIndices(shape.indices)
      .setMaterial(material)
    const node = document
      .createNode(name)
      .setMesh(document.createMesh(name).addPrimitive(primitive))
      .setTranslation(translation)
      .setScale(scale)
    if (turn) node.setRotation(rotation(turn.slice(0, 3), turn[3] ?? 0))
    group.addChild(node)
  }
  document.getRoot().setDefaultScene(scene)
  await new NodeIO().write(path.join(root, 'public/models', file), document)
}

const red = [176, 52, 52]
const darkRed = [140, 40, 48]
const blue = [70, 90, 170]
const valve = [236, 220, 200]
const bone = [226, 214, 186]
const cartilage = [170, 205, 225]
const ligament = [230, 200, 150]
const nerve = [240, 210, 80]
const disc = [150, 190, 210]

await build('heart.glb', 'Heart', [
  ['Left ventricle', 'sphere', red, [0.012, -0.02, 0], [0.032, 0.05, 0.032], [0, 0, 1, 20]],
  [
    'Right ventricle',
    'sphere',
    [190, 80, 80],
    [-0.022, -0.012, 0.012],
    [0.028, 0.042, 0.026],
    [0, 0, 1, -15],
  ],
  ['Left atrium', 'sphere', darkRed, [0.02, 0.035, -0.012], [0.022, 0.018, 0.02]],
  ['Right atrium', 'sphere', [120, 90, 160], [-0.028, 0.032, 0], [0.022, 0.02, 0.02]],
  ['Aorta', 'cylinder', red, [0.004, 0.062, 0.004], [0.011, 0.05, 0.011], [0, 0, 1, 10]],
  ['Pulmonary trunk', 'cylinder', blue, [-0.014, 0.055, 0.018], [0.01, 0.04, 0.01], [1, 0, 0, 20]],
  ['Superior vena cava', 'cylinder', blue, [-0.034, 0.062, -0.004], [0.008, 0.04, 0.008]],
  ['Mitral valve', 'cylinder', valve, [0.016, 0.016, -0.004], [0.012, 0.002, 0.012], [1, 0, 0, 15]],
  ['Tricuspid valve', 'cylinder', valve, [-0.024, 0.015, 0.008], [0.013, 0.002, 0.013], [1, 0, 0, 15]],
  ['Aortic valve', 'cylinder', valve, [0.004, 0.038, 0.004], [0.011, 0.002, 0.011]],
  ['Pulmonary valve', 'cylinder', valve, [-0.012, 0.036, 0.016], [0.01, 0.002, 0.01], [1, 0, 0, 20]],
])

await build('knee.glb', 'Knee joint', [
  ['Femur', 'cylinder', bone, [0, 0.12, 0], [0.016, 0.2, 0.016]],
  ['Medial femoral condyle', 'sphere', bone, [-0.018, 0.02, 0], [0.022, 0.024, 0.026]],
  ['Lateral femoral condyle', 'sphere', bone, [0.018, 0.02, 0], [0.02, 0.022, 0.026]],
  ['Patella', 'sphere', bone, [0, 0.04, 0.03], [0.018, 0.022, 0.008]],
  ['Tibia', 'cylinder', bone, [0, -0.11, 0], [0.018, 0.18, 0.018]],
  ['Tibial plateau', 'cylinder', bone, [0, -0.018, 0], [0.036, 0.012, 0.028]],
  ['Fibula', 'cylinder', bone, [0.034, -0.11, -0.008], [0.007, 0.17, 0.007]],
  ['Medial meniscus', 'cylinder', cartilage, [-0.018, -0.008, 0], [0.016, 0.004, 0.02]],
  ['Lateral meniscus', 'cylinder', cartilage, [0.018, -0.008, 0], [0.015, 0.004, 0.018]],
  [
    'Anterior cruciate ligament',
    'cylinder',
    ligament,
    [0.004, 0.004, 0.004],
    [0.003, 0.03, 0.003],
    [1, 0, 0, 35],
  ],
  [
    'Posterior cruciate ligament',
    'cylinder',
    ligament,
    [-0.004, 0.004, -0.006],
    [0.003, 0.03, 0.003],
    [1, 0, 0, -35],
  ],
  ['Medial collateral ligament', 'box', ligament, [-0.04, 0.0, 0], [0.004, 0.06, 0.012]],
  ['Lateral collateral ligament', 'cylinder', ligament, [0.04, -0.01, -0.004], [0.003, 0.05, 0.003]],
  ['Patellar tendon', 'box', ligament, [0, -0.005, 0.028], [0.014, 0.05, 0.004]],
])

await build('lumbar-segment.glb', 'Lumbar segment L4-L5', [
  ['L4 vertebral body', 'cylinder', bone, [0, 0.035, 0], [0.022, 0.026, 0.018]],
  ['L5 vertebral body', 'cylinder', bone, [0, -0.035, 0], [0.023, 0.027, 0.019]],
  ['L4-L5 intervertebral disc (annulus fibrosus)', 'cylinder', disc, [0, 0, 0], [0.022, 0.01, 0.018]],
  ['Nucleus pulposus', 'sphere', [90, 150, 200], [0, 0, -0.002], [0.009, 0.0055, 0.008]],
  ['L4 spinous process', 'box', bone, [0, 0.03, -0.05], [0.008, 0.014, 0.03], [1, 0, 0, -15]],
  ['L5 spinous process', 'box', bone, [0, -0.04, -0.05], [0.008, 0.014, 0.03], [1, 0, 0, -15]],
  ['L4 transverse processes', 'box', bone, [0, 0.035, -0.03], [0.07, 0.008, 0.008]],
  ['L5 transverse processes', 'box', bone, [0, -0.035, -0.03], [0.075, 0.008, 0.008]],
  ['L4 pedicles and lamina', 'box', bone, [0, 0.035, -0.028], [0.03, 0.014, 0.018]],
  ['L5 pedicles and lamina', 'box', bone, [0, -0.035, -0.028], [0.032, 0.014, 0.018]],
  ['Cauda equina', 'cylinder', nerve, [0, 0, -0.026], [0.006, 0.12, 0.006]],
  ['Left L4 nerve root', 'cylinder', nerve, [-0.016, 0.01, -0.022], [0.0025, 0.03, 0.0025], [0, 0, 1, -50]],
  ['Right L4 nerve root', 'cylinder', nerve, [0.016, 0.01, -0.022], [0.0025, 0.03, 0.0025], [0, 0, 1, 50]],
])
console.log('models written to public/models')
