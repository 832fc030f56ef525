// The on-site worker's surroundings in miniature, for everyone else (a "world in miniature"): the surfaces their
// headset shared, shaded (floor, walls and furniture each in a colour of its own), their head and where they
// look, the annotations and the laser pointers, all in one group that stands for the worker's reference space at
// a table-top scale. Pointing at the model's surfaces (mouse, controller ray, pinch) draws with the current tool
// where the worker will see it; buttons at its front corners zoom it, its caption moves it. While the worker is
// in the call but not sharing, a sentence says so in its place.
import { useFrame } from '@react-three/fiber'
import { Handle, HandleTarget } from '@react-three/handle'
import { Container, Text } from '@react-three/uikit'
import { useXR } from '@react-three/xr'
import { useLayoutEffect, useMemo, useRef, useState } from 'react'
import {
  BufferAttribute,
  BufferGeometry,
  DoubleSide,
  type Group,
  LineBasicMaterial,
  MeshBasicMaterial,
} from 'three'
import type { Vec3 } from '../annotations/model'
import type { Ray, Target } from '../annotations/raycast'
import { POSE_STALE_MS, SpaceFeed, type Surface } from '../annotations/space'
import { useCall, useParticipantIds } from '../state/call-store'
import { usePage } from '../state/page-store'
import { AnnotationLayer, LABEL_HEIGHT, LaserLayer } from './annotation-layer'
import { type GuidanceView, useSpace } from './guidance-view'
import { consultPanelPoses, PANEL_WIDTH } from './panel-layout'
import { setOrbitEnabled } from './scene-interaction'
import { SurfaceMeshes } from './surfaces'
import { uiFontFamilies } from './ui-font'
import { usePanelMonitors } from './video-panel'
import { fitMiniature, frustumCorners, notSharingSentence, surfaceBounds } from './worker-space-layout'

/** Name of the group that is the worker's frame (the probe projects worker-frame points through it). */
export const WORKER_SPACE_NAME = 'worker-space'

/**
 * Where the miniature's floor centre stands, metres, for a user at the origin facing -z: table height, within
 * arm's reach, in front of and below the video panels (their bottom edge is at about 1.2 m, 1.35 m away). The
 * in-XR call controls and guidance palette stand on either side of it.
 */
const ANCHOR: Vec3 = [0, 0.75, -0.85]
/**
 * At most life/0.35 (a workbench reads well at a third of its size); at most 0.8 m across, so it stays within
 * reach and between the in-XR controls; at most 0.35 m tall, so its back (1.25 m out) stays below the line of
 * sight from a standing user's eyes to the panels' bottom edge (about 1.24 m high there).
 */
const LIMITS = { maxScale: 0.35, maxFootprint: 0.8, maxHeight: 0.35 }
/**
 * On a screen nobody reaches for it and no line of sight runs over it, and the view is wider than tall: the model
 * is larger (a 2 m room 1.5 m across) and stands to the left of the video panels, its floor a little below their
 * bottom edge, so the view that frames both (src/scenes/call-scene.tsx) shows it as large as the panels.
 */
const DESKTOP_LIMITS = { maxScale: 0.8, maxFootprint: 1.5, maxHeight: 1.2 }
/** Height of the desktop model's floor, and the gap between it and the leftmost panel, metres. */
const DESKTOP_FLOOR = 0.85
const DESKTOP_GAP = 0.12
/**
 * The caption and zoom buttons on a screen, times their headset size: the view there is framed from further
 * away than arm's length, and they must stay easy to read and hit.
 */
const DESKTOP_CONTROL_SCALE = 2
/** The zoom buttons' steps and range, times the fitted size. */
const ZOOM_STEP = 1.25
const ZOOM_MIN = 0.5
const ZOOM_MAX = 3
/**
 * A pin label's height in the miniature, as a share of the view's height times the tangent of half its field of
 * view (labels there keep their size on screen): about 18 px in a 720 px tall 3D view, a little less on a phone.
 */
const MINIATURE_LABEL_HEIGHT = 0.032
/**
 * The worker's head marker, in the worker's metres: a ball larger than a head, so it reads at table-top scale,
 * and how far their view cone reaches.
 */
const HEAD_RADIUS = 0.14
const FRUSTUM_DEPTH = 0.9
/** Most headsets' cameras (and the fake camera) are 4:3 or wider; the cone only hints at the direction. */
const FRUSTUM_ASPECT = 4 / 3
/** Orange stands out against the floor, walls and furniture's shades and the marks' palette. */
const HEAD_COLOUR = '#ff7a1a'
const HEAD_STALE_COLOUR = '#7d8a93'
/** The view cone's see-through fill: the direction reads at a glance, what lies inside stays visible. */
const CONE_OPACITY = 0.28
/**
 * A laser aimed in the miniature comes from this far off the surface, towards the pointer, worker metres: the
 * pointer itself is metres away in the worker's scale, and a beam from there would cross their whole room.
 */
const LASER_STANDOFF = 0.5

/**
 * What stands in the worker-space spot: the miniature of the sharing participant's space, the sentence that a
 * worker in the call is not sharing, or nothing (for the worker themself, or without a worker).
 */
export function useWorkerSpace(
  guidance: GuidanceView | undefined,
): { kind: 'miniature'; peerId: string } | { kind: 'not-sharing'; name: string } | null {
  const peerIds = useParticipantIds()
  const ownRole = usePage((s) => s.invite?.role ?? null)
  const sharingPeer = useSpace(guidance?.space ?? NO_SPACE, (space) => space.sharingPeer(peerIds))
  const idleWorker = useCall((s) => {
    for (const peerId of peerIds) {
      const participant = s.participants[peerId]
      if (participant?.role === 'worker') return participant.name
    }
    return null
  })
  if (!guidance || ownRole === 'worker') return null
  if (sharingPeer) return { kind: 'miniature', peerId: sharingPeer }
  if (idleWorker !== null) return { kind: 'not-sharing', name: idleWorker }
  return null
}
const NO_SPACE = new SpaceFeed()

export function WorkerSpaceView({ guidance }: { guidance: GuidanceView }) {
  const shown = useWorkerSpace(guidance)
  if (shown?.kind === 'miniature')
    return <Miniature key={shown.peerId} peerId={shown.peerId} guidance={guidance} />
  if (shown?.kind === 'not-sharing') return <NotSharingNote name={shown.name} />
  return null
}

function NotSharingNote({ name }: { name: string }) {
  return (
    <group name="worker-space-note" position={[ANCHOR[0], ANCHOR[1] + 0.1, ANCHOR[2]]} rotation-x={-0.5}>
      <Container
        pixelSize={0.001}
        fontFamilies={uiFontFamilies}
        maxWidth={560}
        padding={20}
        backgroundColor="#20303a"
        borderRadius={16}
      >
        <Text fontSize={28} color="#f4f7f9">
          {notSharingSentence(name)}
        </Text>
      </Container>
    </group>
  )
}

/** The shared surfaces, as a new array only when the space's version moved (what SurfaceMeshes memoizes on). */
function useSurfaces(space: SpaceFeed, peerId: string): readonly Surface[] {
  const cache = useRef<{ version: number; surfaces: readonly Surface[] } | null>(null)
  return useSpace(space, (feed) => {
    if (cache.current?.version !== feed.version) {
      cache.current = { version: feed.version, surfaces: [...(feed.get(peerId)?.surfaces.values() ?? [])] }
    }
    return cache.current.surfaces
  })
}

function Miniature({ peerId, guidance }: { peerId: string; guidance: GuidanceView }) {
  const { space, actions, store } = guidance
  const name = useCall((s) => s.participants[peerId]?.name ?? '')
  const surfaces = useSurfaces(space, peerId)
  const placement = useRef<Group>(null)
  const placedByUser = useRef(false)
  const inSession = useXR((s) => s.session != null)
  const [zoom, setZoom] = useState(1)
  const controlScale = inSession ? 1 : DESKTOP_CONTROL_SCALE
  const fit = useMemo(() => {
    const bounds = surfaceBounds(surfaces)
    const fitted = fitMiniature(
      bounds,
      space.get(peerId)?.head?.position ?? null,
      inSession ? LIMITS : DESKTOP_LIMITS,
    )
    const scale = fitted.scale * zoom
    // The caption sits along the model's front edge (towards the viewer), in our metres; the zoom buttons at
    // its ends, the front corners, far from the video panels behind the model.
    const front = bounds ? (bounds.max[2] - fitted.centre[2]) * scale : 0.15
    const halfWidth = bounds ? ((bounds.max[0] - bounds.min[0]) / 2) * scale : 0.2
    return { ...fitted, scale, front, halfWidth }
  }, [surfaces, space, peerId, inSession, zoom])

  const monitors = usePanelMonitors()
  const outermost = useMemo(() => consultPanelPoses(monitors.length > 0 ? monitors : [false])[0], [monitors])
  useLayoutEffect(() => {
    if (placedByUser.current) return
    if (inSession) {
      placement.current?.position.set(...ANCHOR)
      return
    }
    // Left of the arc of video panels (their vitals monitors hang on the right).
    if (!outermost) return
    const x = outermost.x - PANEL_WIDTH / 2 - DESKTOP_GAP - fit.halfWidth
    placement.current?.position.set(x, DESKTOP_FLOOR, outermost.z)
  }, [inSession, outermost, fit.halfWidth])

  const laserRay = (target: Target, ray: Ray): Ray => ({
    origin: [
      target.point[0] - ray.direction[0] * LASER_STANDOFF,
      target.point[1] - ray.direction[1] * LASER_STANDOFF,
      target.point[2] - ray.direction[2] * LASER_STANDOFF,
    ],
    direction: ray.direction,
  })
  // What the pointer went down with decides what its moves and release do, even if the tool changes meanwhile.
  const laserDown = useRef(false)

  return (
    <HandleTarget ref={placement}>
      <group
        name={WORKER_SPACE_NAME}
        scale={fit.scale}
        position={[-fit.centre[0] * fit.scale, -fit.centre[1] * fit.scale, -fit.centre[2] * fit.scale]}
      >
        <SurfaceMeshes
          surfaces={surfaces}
          look="shaded"
          onDown={(target, ray) => {
            // The orbit camera must not turn while a stroke is drawn (R3F handles the event before OrbitControls).
            setOrbitEnabled(false)
            laserDown.current = store.getState().tool === 'laser'
            if (laserDown.current) actions.pointLaser(laserRay(target, ray), target.point)
            else actions.pointerDown(target)
          }}
          onMove={(target, ray) => {
            if (laserDown.current) actions.pointLaser(laserRay(target, ray), target.point)
            else actions.pointerMove(target)
          }}
          onUp={() => {
            setOrbitEnabled(true)
            if (laserDown.current) actions.pointLaser(null, null)
            else actions.pointerUp()
            laserDown.current = false
          }}
        />
        <WorkerHead space={space} peerId={peerId} />
        <AnnotationLayer labelScale={MINIATURE_LABEL_HEIGHT / (LABEL_HEIGHT * fit.scale)} />
        <LaserLayer space={space} />
      </group>
      <Handle
        targetRef="from-context"
        rotate={false}
        scale={false}
        apply={(state, target) => {
          target.position.copy(state.current.position)
          if (state.first) setOrbitEnabled(false)
          if (state.last) {
            setOrbitEnabled(true)
            placedByUser.current = true
          }
        }}
      >
        {/* The caption is the grip: grabbing the model itself would draw on it instead. */}
        <group
          name="worker-space-caption"
          position={[0, 0.01, fit.front + 0.06]}
          rotation-x={-0.7}
          scale={controlScale}
        >
          <Container
            pixelSize={0.001}
            fontFamilies={uiFontFamilies}
            paddingX={20}
            paddingY={8}
            backgroundColor="#20303a"
            borderRadius={12}
            cursor="grab"
          >
            {/* ASCII apostrophe: the bundled MSDF font has no typographic one. */}
            <Text fontSize={26} color="#f4f7f9">
              {`${name}'s space`}
            </Text>
          </Container>
        </group>
      </Handle>
      <ZoomButton
        // ASCII hyphen: the bundled MSDF font has no minus sign.
        label="-"
        name="worker-space-zoom-out"
        position={[-fit.halfWidth - 0.05 * controlScale, 0.01, fit.front + 0.06]}
        scale={controlScale}
        onClick={() => setZoom((z) => Math.max(ZOOM_MIN, z / ZOOM_STEP))}
      />
      <ZoomButton
        label="+"
        name="worker-space-zoom-in"
        position={[fit.halfWidth + 0.05 * controlScale, 0.01, fit.front + 0.06]}
        scale={controlScale}
        onClick={() => setZoom((z) => Math.min(ZOOM_MAX, z * ZOOM_STEP))}
      />
    </HandleTarget>
  )
}

/** A round button lying at the model's front edge, tilted towards the viewer like the caption. */
function ZoomButton({
  label,
  name,
  position,
  scale,
  onClick,
}: {
  label: string
  name: string
  position: Vec3
  scale: number
  onClick: () => void
}) {
  return (
    <group name={name} position={position} rotation-x={-0.7} scale={scale}>
      <Container
        pixelSize={0.001}
        fontFamilies={uiFontFamilies}
        width={56}
        height={56}
        alignItems="center"
        justifyContent="center"
        backgroundColor="#20303a"
        hover={{ backgroundColor: '#1d5c7a' }}
        borderRadius={28}
        cursor="pointer"
        onClick={(event) => {
          // The click zooms; it must not also draw on the model or turn the camera.
          event.stopPropagation()
          onClick()
        }}
      >
        <Text fontSize={36} color="#f4f7f9">
          {label}
        </Text>
      </Container>
    </group>
  )
}

/** The worker's head: a ball and the cone of their view, moved every frame from the pose stream; grey when stale. */
function WorkerHead({ space, peerId }: { space: SpaceFeed; peerId: string }) {
  const group = useRef<Group>(null)
  const fovY = useSpace(space, (feed) => feed.get(peerId)?.fovY ?? 1)
  const cone = useMemo(() => {
    const corners = frustumCorners(fovY, FRUSTUM_ASPECT, FRUSTUM_DEPTH)
    const points: number[] = []
    for (let i = 0; i < corners.length; i++) {
      const corner = corners[i] as Vec3
      const next = corners[(i + 1) % corners.length] as Vec3
      // An edge from the eye to each corner, and the rim.
      points.push(0, 0, 0, ...corner, ...corner, ...next)
    }
    const geometry = new BufferGeometry()
    geometry.setAttribute('position', new BufferAttribute(new Float32Array(points), 3))
    // The fill: a triangle from the eye to each side of the far rectangle.
    const faces: number[] = []
    for (let i = 0; i < corners.length; i++) {
      faces.push(0, 0, 0, ...(corners[i] as Vec3), ...(corners[(i + 1) % corners.length] as Vec3))
    }
    const fill = new BufferGeometry()
    fill.setAttribute('position', new BufferAttribute(new Float32Array(faces), 3))
    return { edges: geometry, fill }
  }, [fovY])
  const materials = useMemo(
    () => ({
      head: new MeshBasicMaterial({ color: HEAD_COLOUR }),
      cone: new LineBasicMaterial({ color: HEAD_COLOUR }),
      fill: new MeshBasicMaterial({
        color: HEAD_COLOUR,
        transparent: true,
        opacity: CONE_OPACITY,
        side: DoubleSide,
        depthWrite: false,
      }),
    }),
    [],
  )
  useLayoutEffect(
    () => () => {
      cone.edges.dispose()
      cone.fill.dispose()
    },
    [cone],
  )
  useLayoutEffect(
    () => () => {
      materials.head.dispose()
      materials.cone.dispose()
      materials.fill.dispose()
    },
    [materials],
  )
  useFrame(() => {
    const object = group.current
    if (!object) return
    const head = space.get(peerId)?.head
    object.visible = head != null
    if (!head) return
    object.position.set(...head.position)
    object.quaternion.set(...head.orientation)
    const colour = Date.now() - head.receivedAt > POSE_STALE_MS ? HEAD_STALE_COLOUR : HEAD_COLOUR
    materials.head.color.set(colour)
    materials.cone.color.set(colour)
    materials.fill.color.set(colour)
  })
  return (
    <group ref={group} name="worker-head" visible={false}>
      {/* Not pointable: a click on the head means the surface behind it. */}
      <mesh material={materials.head} raycast={() => undefined}>
        <sphereGeometry args={[HEAD_RADIUS, 16, 12]} />
      </mesh>
      <lineSegments geometry={cone.edges} material={materials.cone} raycast={() => undefined} />
      <mesh geometry={cone.fill} material={materials.fill} raycast={() => undefined} />
    </group>
  )
}
