import { describe, expect, it } from 'vitest'
import {
  type DetectedPose,
  DetectedSurfaceTracker,
  fovYFromProjection,
  meshSurfaces,
  planeSurface,
  RECHECK_MS,
  splitMesh,
} from './detected-surfaces'
import { bytesToBase64, MAX_POLYGON_POINTS, surfaceSchema } from './schema'
import type { Surface } from './space'

const IDENTITY: DetectedPose = { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } }

/** Through the wire format: typed arrays as base64, then the receiving side's schema. */
function overTheWire(surface: Surface) {
  const json = JSON.stringify(surface, (_key, value: unknown) =>
    value instanceof Float32Array || value instanceof Uint16Array
      ? bytesToBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
      : value,
  )
  return surfaceSchema.safeParse(JSON.parse(json))
}

/** A grid of n × n quads (2 triangles each) in the x/z plane, 1 cm apart, fronts up. */
function grid(n: number) {
  const vertices: number[] = []
  for (let i = 0; i <= n; i++) for (let j = 0; j <= n; j++) vertices.push(i * 0.01, 0, j * 0.01)
  const indices: number[] = []
  const at = (i: number, j: number) => i * (n + 1) + j
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++)
      indices.push(at(i, j), at(i, j + 1), at(i + 1, j), at(i + 1, j), at(i, j + 1), at(i + 1, j + 1))
  }
  return { vertices: Float32Array.from(vertices), indices: Uint32Array.from(indices) }
}

/** Every triangle as its three corner coordinates, so pieces can be compared with the whole. */
function triangles(vertices: ArrayLike<number>, indices: ArrayLike<number>): string[] {
  const out: string[] = []
  for (let t = 0; t < indices.length; t += 3) {
    const corners = [0, 1, 2].map((k) => {
      const v = indices[t + k] as number
      return [vertices[v * 3], vertices[v * 3 + 1], vertices[v * 3 + 2]].join(',')
    })
    out.push(corners.join(' '))
  }
  return out
}

describe('planeSurface', () => {
  const square = [
    { x: -1, z: -1 },
    { x: 1, z: -1 },
    { x: 1, z: 1 },
    { x: -1, z: 1 },
    { x: -1, z: -1 },
  ]

  it('drops the closing duplicate point and keeps the pose, and the schema accepts it', () => {
    const pose = { position: { x: 1, y: 0.75, z: -2 }, orientation: { x: 0, y: 0, z: 0, w: 1 } }
    const plane = planeSurface('p1', 'table', pose, square)
    expect(plane?.polygon).toEqual([
      [-1, -1],
      [1, -1],
      [1, 1],
      [-1, 1],
    ])
    expect(plane?.position).toEqual([1, 0.75, -2])
    expect(plane && overTheWire(plane).success).toBe(true)
  })

  it('thins an outline beyond the point limit instead of cutting it off', () => {
    const circle = Array.from({ length: 200 }, (_, i) => ({
      x: Math.cos((i / 200) * 2 * Math.PI),
      z: Math.sin((i / 200) * 2 * Math.PI),
    }))
    const plane = planeSurface('p2', 'floor', IDENTITY, circle)
    expect(plane?.polygon.length).toBeLessThanOrEqual(MAX_POLYGON_POINTS)
    expect(plane?.polygon.length).toBeGreaterThan(MAX_POLYGON_POINTS / 2)
    // Still all the way round: points in every quadrant.
    const quadrants = new Set(plane?.polygon.map(([x, z]) => `${Math.sign(x)}${Math.sign(z)}`))
    expect(quadrants.size).toBeGreaterThanOrEqual(4)
    expect(plane && overTheWire(plane).success).toBe(true)
  })

  it('gives null for a degenerate outline, a pose beyond the room bounds or a non-rotation', () => {
    expect(planeSurface('p', '', IDENTITY, square.slice(0, 2))).toBeNull()
    expect(planeSurface('p', '', IDENTITY, [square[0], square[1], square[0]] as typeof square)).toBeNull()
    expect(planeSurface('p', '', { ...IDENTITY, position: { x: 500, y: 0, z: 0 } }, square)).toBeNull()
    expect(planeSurface('p', '', { ...IDENTITY, orientation: { x: 0, y: 0, z: 0, w: 2 } }, square)).toBeNull()
    expect(planeSurface('p', '', IDENTITY, [...square.slice(0, 3), { x: Number.NaN, z: 0 }])).toBeNull()
  })

  it('renormalises a quaternion a float32 round trip left slightly off unit length', () => {
    const plane = planeSurface(
      'p',
      'wall',
      { ...IDENTITY, orientation: { x: 0, y: 0, z: 0, w: 1.0000003 } },
      square,
    )
    expect(plane?.orientation[3]).toBe(1)
  })
})

describe('splitMesh', () => {
  it('returns a mesh within the limits as one piece, triangle for triangle', () => {
    const { vertices, indices } = grid(4)
    const pieces = splitMesh(vertices, indices)
    expect(pieces).toHaveLength(1)
    expect(triangles(pieces[0]?.vertices ?? [], pieces[0]?.indices ?? [])).toEqual(
      triangles(vertices, indices),
    )
  })

  it('splits a large mesh into pieces within both limits that hold every triangle once, in order', () => {
    const { vertices, indices } = grid(30) // 961 vertices, 1800 triangles
    const limits = { maxVertices: 200, maxTriangles: 250 }
    const pieces = splitMesh(vertices, indices, limits)
    expect(pieces.length).toBeGreaterThan(4)
    for (const piece of pieces) {
      expect(piece.vertices.length / 3).toBeLessThanOrEqual(limits.maxVertices)
      expect(piece.indices.length / 3).toBeLessThanOrEqual(limits.maxTriangles)
      // Every vertex a piece carries is used by one of its triangles.
      expect(new Set(piece.indices).size).toBe(piece.vertices.length / 3)
    }
    const rejoined = pieces.flatMap((piece) => triangles(piece.vertices, piece.indices))
    expect(rejoined).toEqual(triangles(vertices, indices))
  })

  it('splits by the triangle limit alone when vertices are shared', () => {
    const { vertices, indices } = grid(10) // 200 triangles over 121 vertices
    const pieces = splitMesh(vertices, indices, { maxVertices: 6000, maxTriangles: 64 })
    expect(pieces.map((piece) => piece.indices.length / 3)).toEqual([64, 64, 64, 8])
  })

  it('leaves out triangles naming a missing vertex or one beyond the room bounds', () => {
    const vertices = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 0, 1, 500, 0, 0])
    const indices = Uint32Array.from([0, 2, 1, 0, 1, 3, 0, 1, 9])
    const pieces = splitMesh(vertices, indices)
    expect(pieces).toHaveLength(1)
    expect(Array.from(pieces[0]?.indices ?? [])).toEqual([0, 1, 2])
    expect(splitMesh(vertices, Uint32Array.from([0, 1, 3]))).toEqual([])
  })
})

describe('meshSurfaces', () => {
  it('names pieces id#k only when it had to split, and every piece passes the schema', () => {
    const small = grid(3)
    const one = meshSurfaces('m1', 'table', IDENTITY, small.vertices, small.indices)
    expect(one.map((surface) => surface.id)).toEqual(['m1'])
    expect(one.every((surface) => overTheWire(surface).success)).toBe(true)

    const big = grid(80) // 6561 vertices, 12800 triangles: beyond both wire limits
    const pieces = meshSurfaces('m2', 'global mesh', IDENTITY, big.vertices, big.indices)
    expect(pieces.length).toBeGreaterThan(1)
    expect(pieces.map((surface) => surface.id)).toEqual(pieces.map((_, k) => `m2#${k}`))
    for (const piece of pieces) {
      const parsed = overTheWire(piece)
      expect(parsed.success, parsed.error?.message).toBe(true)
    }
  })

  it('splits the same arrays once: a re-read reuses the pieces, new arrays are split again', () => {
    const big = grid(80)
    const first = meshSurfaces('m3', 'global mesh', IDENTITY, big.vertices, big.indices)
    const again = meshSurfaces('m3', 'global mesh', IDENTITY, big.vertices, big.indices)
    expect(again.map((piece) => piece.vertices)).toEqual(first.map((piece) => piece.vertices))
    for (const [k, piece] of again.entries()) expect(piece.vertices).toBe(first[k]?.vertices)
    const copy = meshSurfaces('m3', 'global mesh', IDENTITY, [...big.vertices], big.indices)
    expect(copy[0]?.vertices).not.toBe(first[0]?.vertices)
    expect(copy[0]?.vertices).toEqual(first[0]?.vertices)
  })
})

describe('fovYFromProjection', () => {
  it('reads the vertical field of view from a perspective matrix', () => {
    const fovY = 1.2
    const m = new Array(16).fill(0)
    m[5] = 1 / Math.tan(fovY / 2)
    expect(fovYFromProjection(m)).toBeCloseTo(fovY, 10)
  })
})

describe('DetectedSurfaceTracker', () => {
  interface FakePlane {
    lastChangedTime: number
    x: number
    width: number
    tracked: boolean
  }
  const plane = (x = 0): FakePlane => ({ lastChangedTime: 0, x, width: 1, tracked: true })
  const tracker = () =>
    new DetectedSurfaceTracker<FakePlane>('p', (object, id) => {
      if (!object.tracked) return null
      const w = object.width
      const surface = planeSurface('', 'wall', { ...IDENTITY, position: { x: object.x, y: 0, z: 0 } }, [
        { x: 0, z: 0 },
        { x: w, z: 0 },
        { x: w, z: w },
      ])
      return surface ? [{ ...surface, id }] : []
    })

  it('sends new objects once each with short stable ids, and withdraws those that vanish', () => {
    const surfaces = tracker()
    const a = plane()
    const b = plane(2)
    const first = surfaces.update([a, b], 0)
    expect(first.put.map((s) => s.id)).toEqual(['p1', 'p2'])
    expect(surfaces.update([a, b], 16)).toEqual({ put: [], removed: [] })
    expect(surfaces.update([b], 32)).toEqual({ put: [], removed: ['p1'] })
    // Found again: the same id.
    expect(surfaces.update([a, b], 48).put.map((s) => s.id)).toEqual(['p1'])
  })

  it('sends a change once it is read again, and not when nothing the others see changed', () => {
    const surfaces = tracker()
    const a = plane()
    surfaces.update([a], 0)
    // lastChangedTime moves on every frame in IWER: re-read, nothing new, nothing sent.
    a.lastChangedTime = 300
    expect(surfaces.update([a], 300).put).toEqual([])
    a.width = 2
    a.lastChangedTime = 400
    // Too soon after the last read.
    expect(surfaces.update([a], 400).put).toEqual([])
    a.lastChangedTime = 600
    expect(surfaces.update([a], 600).put.map((s) => s.kind === 'plane' && s.polygon[1])).toEqual([[2, 0]])
  })

  it('notices a pose drift without any lastChangedTime change at the periodic re-read', () => {
    const surfaces = tracker()
    const a = plane()
    surfaces.update([a], 0)
    a.x = 0.002
    expect(surfaces.update([a], RECHECK_MS).put).toEqual([])
    a.x = 0.05
    expect(surfaces.update([a], RECHECK_MS / 2 + RECHECK_MS).put).toEqual([])
    expect(surfaces.update([a], 2 * RECHECK_MS).put.map((s) => s.position[0])).toEqual([0.05])
  })

  it('keeps what was sent while an object cannot be read (tracking lost), and lists it', () => {
    const surfaces = tracker()
    const a = plane()
    const b = plane()
    b.tracked = false
    expect(surfaces.update([a, b], 0).put.map((s) => s.id)).toEqual(['p1'])
    a.tracked = false
    a.x = 1
    expect(surfaces.update([a, b], RECHECK_MS)).toEqual({ put: [], removed: [] })
    expect(surfaces.surfaces().map((s) => s.id)).toEqual(['p1'])
    b.tracked = true
    expect(surfaces.update([a, b], RECHECK_MS + 1).put.map((s) => s.id)).toEqual(['p2'])
  })

  it('withdraws pieces a mesh no longer has', () => {
    let pieces = 3
    const mesh = { lastChangedTime: 0 }
    const surfaces = new DetectedSurfaceTracker<typeof mesh>('m', (_object, id) => {
      const { vertices, indices } = grid(4)
      return Array.from(
        { length: pieces },
        (_, k) => meshSurfaces(`${id}#${k}`, '', IDENTITY, vertices, indices)[0] as Surface,
      )
    })
    expect(surfaces.update([mesh], 0).put.map((s) => s.id)).toEqual(['m1#0', 'm1#1', 'm1#2'])
    pieces = 1
    mesh.lastChangedTime = 1
    expect(surfaces.update([mesh], RECHECK_MS)).toEqual({ put: [], removed: ['m1#1', 'm1#2'] })
  })
})
