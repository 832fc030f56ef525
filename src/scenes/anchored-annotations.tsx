// The annotations in the on-site worker's own AR view, each held by an XR anchor. A mark is placed in the
// worker's reference space, but the headset's idea of where that space sits in the real room is refined as it
// tracks (and jumps when it relocalises); an anchor is a point the headset keeps on the real room. So every
// annotation gets an anchor at its placement pose and is drawn at the anchor's pose each frame: it stays on the
// real surface it marks. Without anchor support, or until an anchor resolves, it is drawn at its placement pose.
import { useFrame, useThree } from '@react-three/fiber'
import { type ReactNode, useCallback, useEffect, useMemo } from 'react'
import { type Group, Matrix4, Quaternion, Vector3 } from 'three'
import { materializeSpaceMarks, type Placement } from '../annotations/model'
import { useCall } from '../state/call-store'
import { AnnotationLayer } from './annotation-layer'

/** Name prefix of an annotation's wrapper once its anchor is tracked (tests look for it). */
export const ANCHORED_PREFIX = 'annotation-anchor:'

interface AnchorEntry {
  placement: Placement
  anchor: XRAnchor | null
  /** The anchor's pose times the inverse placement pose: what moves the drawn annotation onto the anchor. */
  correction: Matrix4 | null
  /** The annotation went away (or the session ended) while its anchor was still being created. */
  dropped: boolean
}

const placementHelper = new Matrix4()
const anchorHelper = new Matrix4()
const positionHelper = new Vector3()
const rotationHelper = new Quaternion()
const unitScale = new Vector3(1, 1, 1)

function samePlacement(a: Placement, b: Placement): boolean {
  return (
    a.frame === b.frame &&
    a.position.every((value, i) => value === b.position[i]) &&
    a.orientation.every((value, i) => value === b.orientation[i])
  )
}

/** Whether this session can make anchors (WebXR's enabledFeatures; older browsers lack the list). */
function anchorsEnabled(frame: XRFrame): boolean {
  if (typeof frame.createAnchor !== 'function') return false
  const features = (frame.session as XRSession & { enabledFeatures?: readonly string[] }).enabledFeatures
  return features === undefined || features.includes('anchors')
}

/** One anchor per annotation, created, tracked and deleted in the XR frame loop. */
class AnnotationAnchors {
  private readonly entries = new Map<string, AnchorEntry>()
  /** The wrapper group each annotation is drawn in, once mounted. */
  private readonly groups = new Map<string, Group>()
  /** The annotations' placements, by id, as the store has them now. */
  wanted = new Map<string, Placement>()

  attach(id: string, group: Group | null) {
    if (!group) {
      this.groups.delete(id)
      return
    }
    this.groups.set(id, group)
    // Driven by hand from the anchor's pose (identity until then), so three.js must not rebuild it.
    group.matrixAutoUpdate = false
    this.apply(id, this.entries.get(id)?.correction ?? null)
  }

  update(frame: XRFrame, space: XRReferenceSpace) {
    const canAnchor = anchorsEnabled(frame)
    for (const [id, entry] of this.entries) {
      const placement = this.wanted.get(id)
      if (!placement || !samePlacement(placement, entry.placement)) this.drop(id, entry)
    }
    for (const [id, placement] of this.wanted) {
      // Only world placements: the guidance tools make no other, and an anchor- or plane-relative pose would
      // need its frame resolved first.
      if (this.entries.has(id) || placement.frame !== 'world') continue
      const entry: AnchorEntry = { placement, anchor: null, correction: null, dropped: false }
      this.entries.set(id, entry)
      if (canAnchor) this.create(frame, space, id, entry)
    }
    for (const [id, entry] of this.entries) {
      if (!entry.anchor) continue
      const pose = frame.getPose(entry.anchor.anchorSpace, space)
      // Not tracked this frame: stay where it was last seen.
      if (!pose) continue
      entry.correction ??= new Matrix4()
      placementHelper.compose(
        positionHelper.set(...entry.placement.position),
        rotationHelper.set(...entry.placement.orientation),
        unitScale,
      )
      entry.correction.multiplyMatrices(
        anchorHelper.fromArray(pose.transform.matrix),
        placementHelper.invert(),
      )
      this.apply(id, entry.correction)
    }
  }

  /** Deletes every anchor: the session ended, or the view went away. */
  dispose() {
    for (const [id, entry] of this.entries) this.drop(id, entry)
  }

  private create(frame: XRFrame, space: XRReferenceSpace, id: string, entry: AnchorEntry) {
    const [x, y, z] = entry.placement.position
    const [qx, qy, qz, qw] = entry.placement.orientation
    const pose = new XRRigidTransform({ x, y, z }, { x: qx, y: qy, z: qz, w: qw })
    frame.createAnchor?.(pose, space)?.then(
      (anchor) => {
        if (entry.dropped) anchor.delete()
        else entry.anchor = anchor
      },
      (error: unknown) => {
        // The annotation stays at its placement pose: still right until tracking drifts.
        console.warn(`no anchor for annotation ${id}`, error)
      },
    )
  }

  private drop(id: string, entry: AnchorEntry) {
    entry.dropped = true
    entry.anchor?.delete()
    entry.anchor = null
    this.entries.delete(id)
    this.apply(id, null)
  }

  private apply(id: string, correction: Matrix4 | null) {
    const group = this.groups.get(id)
    if (!group) return
    if (correction) group.matrix.copy(correction)
    else group.matrix.identity()
    group.matrixWorldNeedsUpdate = true
    group.name = correction ? `${ANCHORED_PREFIX}${id}` : ''
  }
}

/** The annotations, anchored to the real room. Mount only in immersive AR, in the worker's reference space. */
export function AnchoredAnnotations() {
  const gl = useThree((s) => s.gl)
  const anchors = useMemo(() => new AnnotationAnchors(), [])
  const annotations = useCall((s) => materializeSpaceMarks(s.annotations))
  useEffect(() => {
    anchors.wanted = new Map(annotations.map((annotation) => [annotation.id, annotation.placement]))
  }, [anchors, annotations])
  useEffect(() => () => anchors.dispose(), [anchors])
  useFrame((_state, _delta, frame?: XRFrame) => {
    const space = gl.xr.getReferenceSpace()
    if (frame && space) anchors.update(frame, space)
  })
  const wrap = useCallback(
    (annotation: { id: string }, node: ReactNode) => (
      <group ref={(group) => anchors.attach(annotation.id, group)}>{node}</group>
    ),
    [anchors],
  )
  return <AnnotationLayer wrap={wrap} onTop />
}
