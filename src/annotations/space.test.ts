import { describe, expect, it } from 'vitest'
import { applyMessage } from '../call/apply-test-kit'
import { decodeText, encodeMessage, LIMITS, type Message, type Op } from '../call/protocol'
import { OpLog } from '../net/replication'
import { createCallStore } from '../state/call-store'
import { VitalsFeed } from '../vitals/feed'
import { bytesToBase64, MAX_MESH_TRIANGLES, MAX_MESH_VERTICES } from './schema'
import { MAX_SURFACES, type MeshSurface, type PlaneSurface, SpaceFeed } from './space'

const plane: PlaneSurface = {
  kind: 'plane',
  id: 'p1',
  label: 'table',
  position: [0, 0.75, -1],
  orientation: [0, 0, 0, 1],
  polygon: [
    [-0.5, -0.4],
    [0.5, -0.4],
    [0.5, 0.4],
  ],
}

function mesh(vertexCount: number, triangles: number, id = 'm1'): MeshSurface {
  const vertices = new Float32Array(vertexCount * 3).map((_, i) => ((i * 7919) % 400) / 100 - 2)
  const indices = new Uint16Array(triangles * 3).map((_, i) => (i * 31) % vertexCount)
  return {
    kind: 'mesh',
    id,
    label: 'global mesh',
    position: [0.5, 1.8, 1.6],
    orientation: [0, 0, 0, 1],
    vertices,
    indices,
  }
}

const surfaceMessage = (surface: PlaneSurface | MeshSurface): Message => ({ type: 'surface', surface })

/** A mesh message with raw base64 fields, to send what the encoder would never produce. */
function rawMesh(vertices: Uint8Array, indices: Uint8Array): string {
  return JSON.stringify({
    type: 'surface',
    surface: {
      kind: 'mesh',
      id: 'bad',
      label: '',
      position: [0, 0, 0],
      orientation: [0, 0, 0, 1],
      vertices: bytesToBase64(vertices),
      indices: bytesToBase64(indices),
    },
  })
}

describe('surface messages', () => {
  it('carry a plane and a mesh through JSON exactly: typed arrays as base64 of their bytes', () => {
    for (const surface of [plane, mesh(300, 500)]) {
      const decoded = decodeText(encodeMessage(surfaceMessage(surface)))
      expect(decoded.ok && decoded.message).toEqual(surfaceMessage(surface))
    }
  })

  it('keep the largest mesh inside the message limit and under the 256 KiB a data channel message may have', () => {
    const text = encodeMessage(surfaceMessage(mesh(MAX_MESH_VERTICES, MAX_MESH_TRIANGLES)))
    expect(text.length).toBeLessThanOrEqual(LIMITS.surface.maxChars)
    expect(text.length).toBeLessThan(256 * 1024)
    expect(decodeText(text).ok).toBe(true)
  })

  it('refuse broken meshes: a triangle naming a missing vertex, a non-finite or far vertex, cut bytes, not base64', () => {
    const vertices = new Uint8Array(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]).buffer)
    const triangle = (a: number, b: number, c: number) => new Uint8Array(new Uint16Array([a, b, c]).buffer)
    expect(decodeText(rawMesh(vertices, triangle(0, 1, 2))).ok).toBe(true)
    expect(decodeText(rawMesh(vertices, triangle(0, 1, 3))).ok).toBe(false)
    const nan = new Uint8Array(new Float32Array([0, 0, Number.NaN, 1, 0, 0, 0, 1, 0]).buffer)
    expect(decodeText(rawMesh(nan, triangle(0, 1, 2))).ok).toBe(false)
    const far = new Uint8Array(new Float32Array([0, 0, 1e6, 1, 0, 0, 0, 1, 0]).buffer)
    expect(decodeText(rawMesh(far, triangle(0, 1, 2))).ok).toBe(false)
    expect(decodeText(rawMesh(vertices.subarray(0, 10), triangle(0, 1, 2))).ok).toBe(false)
    expect(decodeText(rawMesh(vertices, triangle(0, 1, 2)).replace(/"indices":"/, '"indices":"*')).ok).toBe(
      false,
    )
  })

  it('refuse planes with too few corners and unknown kinds', () => {
    const twoCorners = { ...plane, polygon: plane.polygon.slice(0, 2) }
    expect(decodeText(JSON.stringify(surfaceMessage(twoCorners))).ok).toBe(false)
    expect(decodeText(JSON.stringify({ type: 'surface', surface: { ...plane, kind: 'box' } })).ok).toBe(false)
  })
})

describe('SpaceFeed', () => {
  it('keeps surfaces per participant, forgets them when sharing stops, and bumps its version on change', () => {
    const feed = new SpaceFeed()
    let heard = 0
    feed.subscribe(() => heard++)
    feed.setState('w', true, 1.2)
    feed.putSurface('w', plane)
    expect(feed.get('w')?.surfaces.get('p1')).toBe(plane)
    expect(feed.sharingPeer(['x', 'w'])).toBe('w')
    feed.setState('w', false, 1.2)
    expect(feed.get('w')?.surfaces.size).toBe(0)
    expect(feed.sharingPeer(['w'])).toBeNull()
    expect(heard).toBe(3)
  })

  it('keeps at most MAX_SURFACES per participant, yet replaces known ones', () => {
    const feed = new SpaceFeed()
    for (let i = 0; i < MAX_SURFACES + 10; i++) feed.putSurface('w', { ...plane, id: `p${i}` })
    expect(feed.get('w')?.surfaces.size).toBe(MAX_SURFACES)
    const moved = { ...plane, id: 'p0', position: [1, 1, 1] as [number, number, number] }
    feed.putSurface('w', moved)
    expect(feed.get('w')?.surfaces.get('p0')).toBe(moved)
  })

  it('keeps the newest head pose by capture time', () => {
    const feed = new SpaceFeed()
    feed.receivePose('w', [0, 1.6, 0], [0, 0, 0, 1], 200, 1000)
    feed.receivePose('w', [9, 9, 9], [0, 0, 0, 1], 100, 1001)
    expect(feed.get('w')?.head?.position).toEqual([0, 1.6, 0])
  })
})

describe('applyMessage for the shared space', () => {
  const context = () => {
    const store = createCallStore()
    return {
      store,
      log: new OpLog<Op>('own-session', () => undefined),
      vitals: new VitalsFeed(),
      space: new SpaceFeed(),
      now: 1000,
      peerId: 'xc-b',
      seat: 1,
      session: 'ben-session',
      role: 'worker' as const,
    }
  }
  const laser = (author: string): Message => ({
    type: 'laser',
    author,
    colour: 'sky',
    on: true,
    origin: [0, 1.5, 0],
    direction: [0, 0, -1],
    at: 5,
  })

  it('takes a laser only from its own author', () => {
    const own = context()
    applyMessage(own, laser('ben-session') as never)
    expect(own.space.lasers.get('ben-session')?.receivedAt).toBe(1000)
    const forged = context()
    applyMessage(forged, laser('carol-session') as never)
    expect(forged.space.lasers.size).toBe(0)
  })

  it('files space, surface and removal messages under the sender', () => {
    const c = context()
    applyMessage(c, { type: 'space', sharing: true, fovY: 1.1 })
    applyMessage(c, { type: 'surface', surface: plane })
    expect(c.space.get('xc-b')?.fovY).toBe(1.1)
    expect(c.space.get('xc-b')?.surfaces.has('p1')).toBe(true)
    applyMessage(c, { type: 'surfaces-removed', ids: ['p1'] })
    expect(c.space.get('xc-b')?.surfaces.size).toBe(0)
  })

  it('takes a space only from an on-site worker: anyone else in AR keeps their room to themselves', () => {
    const c = { ...context(), role: 'clinician' as const }
    applyMessage(c, { type: 'space', sharing: true, fovY: 1.1 })
    applyMessage(c, { type: 'surface', surface: plane })
    expect(c.space.get('xc-b')).toBeUndefined()
  })

  it('forgets a peer’s space on a new link, and everything on leaving', () => {
    const feed = new SpaceFeed()
    feed.setState('w', true, 1)
    feed.putSurface('w', plane)
    feed.receivePose('w', [0, 1, 0], [0, 0, 0, 1], 1, 1)
    feed.resetPeer('w')
    expect(feed.get('w')).toMatchObject({ sharing: false, head: null })
    expect(feed.get('w')?.surfaces.size).toBe(0)
    feed.receiveLaser(
      { author: 'x', colour: 'sky', on: true, origin: [0, 0, 0], direction: [0, 0, -1], at: 1 },
      1,
    )
    feed.clear()
    expect(feed.get('w')).toBeUndefined()
    expect(feed.lasers.size).toBe(0)
  })
})
