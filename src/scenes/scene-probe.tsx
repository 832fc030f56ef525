// A read-only window into the running scene for the end-to-end tests and the benchmarks: frame counters and
// where each remote video panel is on screen. Computed on demand, so it costs nothing while nobody asks.

import { useFrame, useThree } from '@react-three/fiber'
import { VanillaText as UikitText } from '@react-three/uikit'
import { useEffect } from 'react'
import {
  type ArrayCamera,
  Box3,
  type Camera,
  Matrix4,
  type Mesh,
  type MeshBasicMaterial,
  type Object3D,
  PerspectiveCamera,
  Quaternion,
  Vector3,
} from 'three'
import { aimOrbit } from './scene-interaction'
import type { PanelOnScreen, SceneProbe } from './scene-probe-types'
import { PANEL_VIDEO_PREFIX } from './video-panel'
import { WORKER_SPACE_NAME } from './worker-space-view'

const centreHelper = new Vector3()
const boxHelper = new Box3()
const scaleHelper = new Vector3()
const quaternionHelper = new Quaternion()
const worldHelper = new Vector3()
const childBoxHelper = new Box3()
const toOwnHelper = new Matrix4()
const childToOwnHelper = new Matrix4()
/** Names the probe looks for in each frame until they appear (only while a benchmark asks). */
const watched = new Set<string>()

/** A panel has drawn video once its texture received a frame (VideoTexture bumps its version per frame). */
function showsVideo(object: Object3D): boolean {
  const map = ((object as Mesh).material as MeshBasicMaterial | undefined)?.map
  return map != null && map.version > 0
}

export function SceneProbeInstaller() {
  const gl = useThree((s) => s.gl)
  const scene = useThree((s) => s.scene)
  const camera = useThree((s) => s.camera)
  const invalidate = useThree((s) => s.invalidate)

  useEffect(() => {
    /** Where a world point is on the page, in CSS pixels, and whether it is in view. */
    const pointOnScreen = (world: Vector3) => {
      const presenting = gl.xr.isPresenting
      const xrCamera = presenting ? (gl.xr.getCamera() as ArrayCamera) : null
      // In XR, the left eye's camera and its viewport in the drawing buffer; otherwise the whole canvas.
      const view: Camera = xrCamera?.cameras[0] ?? camera
      const buffer = gl.domElement
      const viewport = xrCamera?.cameras[0]?.viewport
      const vx = viewport?.x ?? 0
      const vy = viewport?.y ?? 0
      const vw = viewport?.z ?? buffer.width
      const vh = viewport?.w ?? buffer.height
      // Per axis: a canvas in a grid cell can be a fractional number of CSS pixels tall but not of buffer pixels,
      // and a point on a miniature needs sub-pixel accuracy.
      const rect = buffer.getBoundingClientRect()
      const cssPerPixelX = rect.width / buffer.width
      const cssPerPixelY = rect.height / buffer.height
      // The emulator moves the canvas around the page in XR, so report page coordinates (rect, above).
      centreHelper.copy(world).project(view)
      return {
        x: rect.left + (vx + ((centreHelper.x + 1) / 2) * vw) * cssPerPixelX,
        y: rect.top + (buffer.height - (vy + ((centreHelper.y + 1) / 2) * vh)) * cssPerPixelY,
        inView: Math.abs(centreHelper.x) <= 1 && Math.abs(centreHelper.y) <= 1 && centreHelper.z < 1,
      }
    }
    /** Where an object's origin is on the page. */
    const onScreen = (object: Object3D) => pointOnScreen(object.getWorldPosition(worldHelper))
    /**
     * The page rectangle round boxHelper's eight corners, taken in the frame `toWorld` puts into the world (null: the
     * box is the world's own).
     */
    const boxCornersOnScreen = (toWorld: Matrix4 | null) => {
      const points = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => {
        worldHelper.set(
          i & 1 ? boxHelper.max.x : boxHelper.min.x,
          i & 2 ? boxHelper.max.y : boxHelper.min.y,
          i & 4 ? boxHelper.max.z : boxHelper.min.z,
        )
        return pointOnScreen(toWorld ? worldHelper.applyMatrix4(toWorld) : worldHelper)
      })
      const xs = points.map((p) => p.x)
      const ys = points.map((p) => p.y)
      return {
        left: Math.min(...xs),
        right: Math.max(...xs),
        top: Math.min(...ys),
        bottom: Math.max(...ys),
        inView: points.every((p) => p.inView),
        corners: points.map(({ x, y }) => ({ x, y })),
      }
    }
    const probe: SceneProbe = {
      frames: 0,
      xrFrames: 0,
      firstVideoFrameAt: null,
      panels: () => {
        const found: PanelOnScreen[] = []
        scene.traverse((object: Object3D) => {
          if (!object.name.startsWith(PANEL_VIDEO_PREFIX)) return
          found.push({
            peerId: object.name.slice(PANEL_VIDEO_PREFIX.length),
            ...onScreen(object),
            showsVideo: showsVideo(object),
          })
        })
        return found
      },
      objectOnScreen: (name) => {
        const object = scene.getObjectByName(name)
        return object ? onScreen(object) : null
      },
      named: (prefix) => {
        const found: ReturnType<SceneProbe['named']> = []
        scene.traverse((object: Object3D) => {
          if (!object.name.startsWith(prefix)) return
          const { x, y, z, w } = object.quaternion
          const map = ((object as Mesh).material as MeshBasicMaterial | undefined)?.map
          found.push({
            name: object.name,
            ...onScreen(object),
            quaternion: [x, y, z, w],
            mapVersion: map?.version ?? 0,
          })
        })
        return found
      },
      boxOnScreen: (name) => {
        const object = scene.getObjectByName(name)
        if (!object) return null
        object.updateWorldMatrix(true, true)
        boxHelper.setFromObject(object)
        const { corners: _corners, ...rectangle } = boxCornersOnScreen(null)
        return rectangle
      },
      ownBoxOnScreen: (name) => {
        const object = scene.getObjectByName(name)
        if (!object) return null
        object.updateWorldMatrix(true, true)
        toOwnHelper.copy(object.matrixWorld).invert()
        boxHelper.makeEmpty()
        object.traverse((child) => {
          // As Box3.expandByObject does: an instanced mesh's box spans its instances, another mesh's its geometry.
          const mesh = child as Mesh & { boundingBox?: Box3 | null; computeBoundingBox?: () => void }
          if (!mesh.geometry) return
          if (mesh.boundingBox !== undefined) {
            if (mesh.boundingBox === null) mesh.computeBoundingBox?.()
            if (!mesh.boundingBox) return
            childBoxHelper.copy(mesh.boundingBox)
          } else {
            if (!mesh.geometry.boundingBox) mesh.geometry.computeBoundingBox()
            if (!mesh.geometry.boundingBox) return
            childBoxHelper.copy(mesh.geometry.boundingBox)
          }
          boxHelper.union(
            childBoxHelper.applyMatrix4(childToOwnHelper.multiplyMatrices(toOwnHelper, mesh.matrixWorld)),
          )
        })
        if (boxHelper.isEmpty()) return null
        return boxCornersOnScreen(object.matrixWorld)
      },
      watch: (name) => watched.add(name),
      drawnAt: {},
      worldPosition: (name) => {
        const object = scene.getObjectByName(name)
        return object ? object.getWorldPosition(centreHelper).toArray() : null
      },
      workerSpaceToScreen: (point) => {
        const frame = scene.getObjectByName(WORKER_SPACE_NAME)
        if (!frame) return null
        frame.updateWorldMatrix(true, false)
        return pointOnScreen(worldHelper.fromArray(point).applyMatrix4(frame.matrixWorld))
      },
      emissive: (name) => {
        let found: number | null = null
        scene.getObjectByName(name)?.traverse((object) => {
          const material = (object as Mesh).material as { emissive?: { getHex(): number } } | undefined
          if (found === null && (object as Mesh).isMesh && material?.emissive)
            found = material.emissive.getHex()
        })
        return found
      },
      localPosition: (name, frameName) => {
        const object = scene.getObjectByName(name)
        const frame = scene.getObjectByName(frameName)
        if (!object || !frame) return null
        scene.updateMatrixWorld(true)
        return frame.worldToLocal(object.getWorldPosition(centreHelper)).toArray()
      },
      focus: (name) => {
        const object = scene.getObjectByName(name)
        if (!object) return false
        const [x, y, z] = object.getWorldPosition(centreHelper).toArray()
        camera.position.set(x * 0.6, y + 0.15, z * 0.6)
        if (!aimOrbit([x, y, z])) return false
        invalidate()
        return true
      },
      renderer: () => ({
        textures: gl.info.memory.textures,
        geometries: gl.info.memory.geometries,
        programs: gl.info.programs?.length ?? 0,
        calls: gl.info.render.calls,
        triangles: gl.info.render.triangles,
      }),
      uikitText: (name) => {
        const root = scene.getObjectByName(name)
        if (!root) return null
        const lines: string[] = []
        root.traverse((object) => {
          if (!(object instanceof UikitText)) return
          // What uikit lays out and draws: the component's own `text` property, not what React was given.
          const text = object.properties.peek().text
          lines.push(Array.isArray(text) ? text.join('') : String(text ?? ''))
        })
        return lines
      },
      uikitBoxOnScreen: (name) => {
        const object = scene.getObjectByName(name)
        if (!object || !('globalPanelMatrix' in object)) return null
        // A uikit component's world matrix already maps the unit square onto its panel: uikit builds it from the
        // root's placement and the component's size in metres (its globalPanelMatrix). Scaling by the size again
        // (as this did) drew every box smaller by its own size in metres: half a 0.5 m panel, an eighth of a button.
        object.updateWorldMatrix(true, false)
        const corners = [
          [-0.5, 0.5],
          [0.5, 0.5],
          [0.5, -0.5],
          [-0.5, -0.5],
        ].map(([x, y]) => pointOnScreen(object.localToWorld(worldHelper.set(x as number, y as number, 0))))
        return { corners }
      },
      facingAngle: (name) => {
        const object = scene.getObjectByName(name)
        if (!object) return null
        const view = gl.xr.isPresenting ? ((gl.xr.getCamera() as ArrayCamera).cameras[0] ?? camera) : camera
        object.getWorldQuaternion(quaternionHelper)
        const front = worldHelper.set(0, 0, 1).applyQuaternion(quaternionHelper)
        view.getWorldQuaternion(quaternionHelper)
        const back = centreHelper.set(0, 0, 1).applyQuaternion(quaternionHelper)
        return (front.angleTo(back) * 180) / Math.PI
      },
      spriteHeights: (prefix) => {
        const heights: number[] = []
        scene.traverse((object) => {
          if (!object.name.startsWith(prefix)) return
          object.updateWorldMatrix(true, false)
          const bottom = object.getWorldPosition(new Vector3())
          object.getWorldScale(scaleHelper)
          const material = (object as Mesh).material as { sizeAttenuation?: boolean } | undefined
          if (material?.sizeAttenuation === false && camera instanceof PerspectiveCamera) {
            // The same size at any distance: its height is a share of the view's (three's sprite shader).
            const tan = Math.tan((camera.fov * Math.PI) / 360)
            heights.push((scaleHelper.y / tan / 2) * gl.domElement.getBoundingClientRect().height)
            return
          }
          // A sprite faces the camera: its height runs along the camera's up axis.
          const up = new Vector3(0, 1, 0).applyQuaternion(camera.getWorldQuaternion(quaternionHelper))
          const top = bottom.clone().addScaledVector(up, scaleHelper.y)
          heights.push(Math.abs(pointOnScreen(bottom).y - pointOnScreen(top).y))
        })
        return heights
      },
      surroundings: () =>
        scene.getObjectByName('consult-room')
          ? 'room'
          : scene.getObjectByName('desktop-grid')
            ? 'grid'
            : 'none',
    }
    window.__xrConsult = probe
    return () => {
      if (window.__xrConsult === probe) window.__xrConsult = undefined
    }
  }, [gl, scene, camera, invalidate])

  useFrame((_state, _delta, frame?: XRFrame) => {
    const probe = window.__xrConsult
    if (!probe) return
    probe.frames++
    if (frame) probe.xrFrames++
    for (const name of watched) {
      if (!scene.getObjectByName(name)) continue
      probe.drawnAt[name] = performance.now()
      watched.delete(name)
    }
    if (probe.firstVideoFrameAt === null) {
      // Cheap: only until the first video frame has been drawn.
      let drawn = false
      scene.traverse((object) => {
        if (object.name.startsWith(PANEL_VIDEO_PREFIX) && showsVideo(object)) drawn = true
      })
      if (drawn) probe.firstVideoFrameAt = performance.now()
    }
  })
  return null
}
