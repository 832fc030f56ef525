// Drawing in mid-air with a controller: while the grip (squeeze) button of a controller is held, its grip point
// is the pen tip, in the frame of this component's parent group (the worker's space: 1:1 in the worker's AR view,
// the miniature on the specialist's side). The trigger stays what it is everywhere else, a ray that clicks and
// draws on surfaces, so the two never fight over one button. Hands have no spare gesture (a pinch is the ray's
// click), so mid-air drawing is for controllers.
import { useFrame, useThree } from '@react-three/fiber'
import { useRef } from 'react'
import { type Group, Matrix4, Vector3 } from 'three'
import type { Vec3 } from '../annotations/model'
import type { Target } from '../annotations/raycast'

/** Index of the grip button in the WebXR 'xr-standard' gamepad mapping. */
const SQUEEZE_BUTTON = 1

const tip = new Vector3()
const pose = new Matrix4()

export function MidAirPen({
  onDown,
  onMove,
  onUp,
}: {
  onDown: (target: Target) => void
  onMove: (target: Target) => void
  onUp: () => void
}) {
  const group = useRef<Group>(null)
  const drawing = useRef<XRInputSource | null>(null)
  const gl = useThree((s) => s.gl)

  useFrame((_state, _delta, frame?: XRFrame) => {
    const space = gl.xr.getReferenceSpace()
    if (!frame || !space || !group.current) return
    let held: XRInputSource | null = null
    let at: Vec3 | null = null
    for (const source of frame.session.inputSources) {
      if (!source.gamepad || !source.gripSpace || source.hand) continue
      if (!source.gamepad.buttons[SQUEEZE_BUTTON]?.pressed) continue
      if (drawing.current && drawing.current !== source) continue
      const gripPose = frame.getPose(source.gripSpace, space)
      if (!gripPose) continue
      // The reference space is the scene's world (no XROrigin offset in our scenes): into the parent's frame.
      pose.fromArray(gripPose.transform.matrix)
      tip.setFromMatrixPosition(pose)
      at = group.current.worldToLocal(tip).toArray() as Vec3
      held = source
      break
    }
    if (held && at) {
      const target: Target = { point: at, normal: null, approximate: false }
      if (drawing.current) onMove(target)
      else onDown(target)
      drawing.current = held
    } else if (drawing.current) {
      drawing.current = null
      onUp()
    }
  })
  return <group ref={group} name="mid-air-pen" />
}
