// The on-site worker's side of remote guidance, in their own immersive AR session: sharing what the headset
// detects (planes, meshes, head pose, field of view) so the others can aim into the worker's room, the
// annotations held by XR anchors on the real surfaces, and the worker's own surfaces, invisible but pointable,
// so the worker can mark them too with a controller ray or a pinch (or in mid-air, with a controller's grip
// held). The XR frame loop reads the headset here; what it finds goes out through the actions the app hands in
// (the scene never sees the call session).
import { useFrame, useThree } from '@react-three/fiber'
import { useXR } from '@react-three/xr'
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react'
import {
  DetectedSurfaceTracker,
  fovYFromProjection,
  meshSurfaces,
  planeSurface,
  type SurfaceChanges,
} from '../annotations/detected-surfaces'
import { MAX_COORDINATE, type Quat, type Vec3 } from '../annotations/model'
import { SpaceFeed } from '../annotations/space'
import { AnchoredAnnotations } from './anchored-annotations'
import type { WorkerSpaceActions } from './guidance-view'

export type { WorkerSpaceActions }

import { LaserLayer } from './annotation-layer'
import { MidAirPen } from './mid-air-pen'
import { SurfaceMeshes } from './surfaces'

/**
 * Head poses go out at 10 Hz, ms apart: enough to aim at a still frame; 46-byte frames, so 460 B/s per viewer.
 */
const HEAD_POSE_INTERVAL_MS = 100
/** A field of view change smaller than this is not announced again, radians. */
const FOV_TOLERANCE = 0.001
/** The field of view a `space` message may carry, radians (schema.ts): a view outside it is not a camera's. */
const MIN_FOV_Y = 0.1
const MAX_FOV_Y = 3
/** Our own entry in the local copy of our surfaces. */
const OWN = 'own'

/** What the frame loop keeps between frames; one per AR session. */
interface Sharing {
  planes: DetectedSurfaceTracker<XRPlane>
  meshes: DetectedSurfaceTracker<XRMesh>
  /** What the trackers' conversions read: this frame and our reference space. */
  frame: XRFrame | null
  space: XRReferenceSpace | null
  /** The field of view announced with shareSpace(true), once the first view was seen. */
  fovY: number | null
  seq: number
  lastPoseAt: number
}

function inBounds(values: readonly number[]): boolean {
  return values.every((value) => Number.isFinite(value) && Math.abs(value) <= MAX_COORDINATE)
}

/**
 * Reads the detected planes and meshes and the head pose in every XR frame and shares them; shares the space
 * while mounted (mount it only in immersive AR). `own` gets a copy of what was shared, for drawing on.
 */
function OwnSpaceSharing({ actions, own }: { actions: WorkerSpaceActions; own: SpaceFeed }) {
  const gl = useThree((s) => s.gl)
  const sharing = useRef<Sharing | null>(null)

  useEffect(() => {
    const state: Sharing = {
      frame: null,
      space: null,
      fovY: null,
      seq: 0,
      lastPoseAt: Number.NEGATIVE_INFINITY,
      planes: new DetectedSurfaceTracker<XRPlane>('p', (plane, id) => {
        const pose = state.frame && state.space && state.frame.getPose(plane.planeSpace, state.space)
        if (!pose) return null
        const surface = planeSurface(id, plane.semanticLabel, pose.transform, plane.polygon)
        return surface ? [surface] : []
      }),
      meshes: new DetectedSurfaceTracker<XRMesh>('m', (mesh, id) => {
        const pose = state.frame && state.space && state.frame.getPose(mesh.meshSpace, state.space)
        if (!pose) return null
        return meshSurfaces(id, mesh.semanticLabel, pose.transform, mesh.vertices, mesh.indices)
      }),
    }
    sharing.current = state
    return () => {
      sharing.current = null
      // The session ended (or the view went away): the others forget our surfaces and our pose.
      if (state.fovY !== null) actions.shareSpace(false, state.fovY)
      own.setState(OWN, false, state.fovY ?? 1)
    }
  }, [actions, own])

  const apply = (changes: SurfaceChanges) => {
    for (const surface of changes.put) {
      actions.shareSurface(surface)
      own.putSurface(OWN, surface)
    }
    if (changes.removed.length > 0) {
      actions.removeSurfaces(changes.removed)
      own.removeSurfaces(OWN, changes.removed)
    }
  }

  useFrame((_state, _delta, frame?: XRFrame) => {
    const state = sharing.current
    const space = gl.xr.getReferenceSpace()
    if (!state || !frame || !space) return
    const viewer = frame.getViewerPose(space)
    const now = performance.now()
    if (viewer) {
      const view = viewer.views[0]
      const fovY = view ? fovYFromProjection(view.projectionMatrix) : null
      const usable = fovY !== null && fovY >= MIN_FOV_Y && fovY <= MAX_FOV_Y
      if (usable && Math.abs(fovY - (state.fovY ?? 0)) > FOV_TOLERANCE) {
        state.fovY = fovY
        actions.shareSpace(true, fovY)
        own.setState(OWN, true, fovY)
      }
      if (state.fovY !== null && now - state.lastPoseAt >= HEAD_POSE_INTERVAL_MS) {
        const { position: p, orientation: q } = viewer.transform
        const position: Vec3 = [p.x, p.y, p.z]
        const orientation: Quat = [q.x, q.y, q.z, q.w]
        if (inBounds(position)) {
          state.lastPoseAt = now
          state.seq = (state.seq + 1) >>> 0
          actions.broadcastHeadPose({
            seq: state.seq,
            capturedAt: performance.timeOrigin + now,
            position,
            orientation,
          })
        }
      }
    }
    // Surfaces mean nothing to the others before the space is shared (the session drops them meanwhile).
    if (state.fovY === null) return
    state.frame = frame
    state.space = space
    if (frame.detectedPlanes) apply(state.planes.update(frame.detectedPlanes, now))
    if (frame.detectedMeshes) apply(state.meshes.update(frame.detectedMeshes, now))
    state.frame = null
  })
  return null
}

/** Our detected surfaces, invisible in the passthrough view but hit by controller rays and pinches. */
function OwnSurfaces({ own, draw }: { own: SpaceFeed; draw: WorkerSpaceActions['draw'] }) {
  const version = useSyncExternalStore(
    (listener) => own.subscribe(listener),
    () => own.get(OWN)?.version ?? 0,
  )
  // The feed mutates in place; `version` says when to copy the list.
  const surfaces = useMemo(() => [...(own.get(OWN)?.surfaces.values() ?? [])], [own, version])
  return (
    // Below everything else for pointers: the panels and controls stay usable where a detected wall stands
    // between them and the worker (passthrough shows them through it, so that is where the worker aims). And
    // for rays only (a controller's or a pinch's): a hand resting near a real table or wall would otherwise have
    // its grab and touch pointers touch these invisible surfaces, and they would take over from its ray.
    <group pointerEventsOrder={-1} pointerEventsType={{ allow: 'ray' }}>
      <SurfaceMeshes
        surfaces={surfaces}
        look="invisible"
        onDown={(target, ray) => draw.pointerDown(target, ray)}
        onMove={(target, ray) => draw.pointerMove(target, ray)}
        onUp={() => draw.pointerUp()}
      />
    </group>
  )
}

/** The worker's side of remote guidance; draws and shares only in immersive AR. */
export function OwnSpace({ actions }: { actions: WorkerSpaceActions }) {
  const inAr = useXR((s) => s.mode === 'immersive-ar' && s.session != null)
  const own = useMemo(() => new SpaceFeed(), [])
  if (!inAr) return null
  return (
    <>
      <OwnSpaceSharing actions={actions} own={own} />
      <AnchoredAnnotations />
      <LaserLayer space={actions.space} />
      <OwnSurfaces own={own} draw={actions.draw} />
      <MidAirPen
        onDown={actions.draw.pointerDown}
        onMove={actions.draw.pointerMove}
        onUp={actions.draw.pointerUp}
      />
    </>
  )
}
