// Where the 3D view's camera stands so that everything worth seeing (video panels, vitals monitors, shared files,
// the worker's miniature) fits on screen, and how far the user may orbit away from there. Pure: boxes and numbers
// in, a camera pose out, so it is tested in node.

export type Vec3 = [number, number, number]

export interface Box {
  min: Vec3
  max: Vec3
}

export interface Framing {
  /** metres, world space */
  position: Vec3
  /** the point the camera looks at and orbits round, metres */
  target: Vec3
  /** from the target to the camera, metres: what the orbit's zoom limits are measured against */
  distance: number
}

/** Share of the view left free round the framed box on every side (0.08: 8 % of the half-width). */
export const FRAME_MARGIN = 0.08

/**
 * The camera pose that fits `box` in a perspective view of vertical field of view `fovY` (radians) and `aspect`
 * (width / height), looking at the box's centre from the front (+z, towards a user at the origin) and from above
 * by `pitch` radians. Every corner of the box is inside the view, with FRAME_MARGIN to spare.
 */
export function frameBox(box: Box, fovY: number, aspect: number, pitch = 0): Framing {
  const centre: Vec3 = [
    (box.min[0] + box.max[0]) / 2,
    (box.min[1] + box.max[1]) / 2,
    (box.min[2] + box.max[2]) / 2,
  ]
  // The camera's axes: `back` from the target towards the camera, `up` tilted with it, `right` level.
  const back: Vec3 = [0, Math.sin(pitch), Math.cos(pitch)]
  const up: Vec3 = [0, Math.cos(pitch), -Math.sin(pitch)]
  const tanY = Math.tan(fovY / 2) * (1 - FRAME_MARGIN)
  const tanX = tanY * aspect
  let distance = 0
  for (const x of [box.min[0], box.max[0]])
    for (const y of [box.min[1], box.max[1]])
      for (const z of [box.min[2], box.max[2]]) {
        const o: Vec3 = [x - centre[0], y - centre[1], z - centre[2]]
        const along = o[1] * back[1] + o[2] * back[2]
        const across = Math.abs(o[0])
        const upward = Math.abs(o[1] * up[1] + o[2] * up[2])
        // A corner at `along` towards the camera is (distance - along) deep in the view: it fits when its offset
        // across and upward is within that depth times the half-angle's tangent.
        distance = Math.max(distance, across / tanX + along, upward / tanY + along)
      }
  // Never closer than the near plane allows a whole panel to be drawn (and never zero for an empty box).
  distance = Math.max(distance, 0.3)
  return {
    position: [
      centre[0] + back[0] * distance,
      centre[1] + back[1] * distance,
      centre[2] + back[2] * distance,
    ],
    target: centre,
    distance,
  }
}

/**
 * How much further back than the call's own panels alone need the camera may stand to show more shared items
 * beside them: 1.7 times, so the patient's video and vitals keep at least 60 % of the size they have alone.
 */
export const SHARED_FRAMING_GROWTH = 1.7

/** The smallest box holding both. */
export function union(a: Box, b: Box): Box {
  return {
    min: [Math.min(a.min[0], b.min[0]), Math.min(a.min[1], b.min[1]), Math.min(a.min[2], b.min[2])],
    max: [Math.max(a.max[0], b.max[0]), Math.max(a.max[1], b.max[1]), Math.max(a.max[2], b.max[2])],
  }
}

/**
 * What the 3D view frames when the call has shared items: the call's own panels (`call`: the videos, the vitals
 * monitors, the worker's miniature) come first, since a clinician's first need is the patient's face and vitals
 * at a size they can read. Framing everything instead put four items round the arc and the patient's video at
 * about 80 px wide on a laptop. The nearest shared item (`items`, nearest first) is always framed beside them, so
 * whoever shares one sees it arrive; the next ones only while the camera stands no more than
 * SHARED_FRAMING_GROWTH times further back than for the call's panels alone. The rest stay where they are on the
 * arc: the pan reaches them (and the tab lists each with its own viewer). Without call panels, the items alone.
 * Returns the framing, the box it frames and how many items are in it.
 */
export function frameCallFirst(
  call: Box | null,
  items: readonly Box[],
  fovY: number,
  aspect: number,
  pitch = 0,
): { framing: Framing; box: Box; items: number } | null {
  const [nearest, ...others] = items
  if (!call && !nearest) return null
  if (!call) {
    const box = items.reduce(union)
    return { framing: frameBox(box, fovY, aspect, pitch), box, items: items.length }
  }
  const limit = frameBox(call, fovY, aspect, pitch).distance * SHARED_FRAMING_GROWTH
  let box = nearest ? union(call, nearest) : call
  let framing = frameBox(box, fovY, aspect, pitch)
  let count = nearest ? 1 : 0
  for (const item of others) {
    const wider = union(box, item)
    const next = frameBox(wider, fovY, aspect, pitch)
    if (next.distance > limit) break
    box = wider
    framing = next
    count++
  }
  return { framing, box, items: count }
}

/**
 * How far the orbit may swing from the framed pose, radians: the panels stand on an arc facing the user, the
 * outermost of four about 46° off the middle, so ±30° of azimuth still leaves every panel short of edge-on.
 */
export const ORBIT_AZIMUTH_LIMIT = (30 * Math.PI) / 180
/** Up to 35° above and 20° below the framed pitch: the table-top miniature reads from above, not from beneath. */
export const ORBIT_POLAR_ABOVE = (35 * Math.PI) / 180
export const ORBIT_POLAR_BELOW = (20 * Math.PI) / 180

/** OrbitControls' limits round a framing taken at `pitch` (polar angles are measured from straight up). */
export function orbitLimits(framing: Framing, pitch: number) {
  const polar = Math.PI / 2 - pitch
  return {
    minAzimuthAngle: -ORBIT_AZIMUTH_LIMIT,
    maxAzimuthAngle: ORBIT_AZIMUTH_LIMIT,
    minPolarAngle: Math.max(0.05, polar - ORBIT_POLAR_ABOVE),
    maxPolarAngle: Math.min(Math.PI - 0.05, polar + ORBIT_POLAR_BELOW),
    // Close enough to read a monitor's small print, not so far that the panels become specks.
    minDistance: framing.distance * 0.35,
    maxDistance: framing.distance * 2,
  }
}

/** A box grown by `by` metres on every side. */
export function grow(box: Box, by: number): Box {
  return {
    min: [box.min[0] - by, box.min[1] - by, box.min[2] - by],
    max: [box.max[0] + by, box.max[1] + by, box.max[2] + by],
  }
}

/** `point` moved to the nearest point inside `box` (where a pan may take the orbit's target). */
export function clampToBox(point: Vec3, box: Box): Vec3 {
  return [
    Math.min(box.max[0], Math.max(box.min[0], point[0])),
    Math.min(box.max[1], Math.max(box.min[1], point[1])),
    Math.min(box.max[2], Math.max(box.min[2], point[2])),
  ]
}
