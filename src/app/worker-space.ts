// What the on-site worker's AR view shares, sent through the call in progress: the scene (src/scenes/own-space.tsx)
// reads the headset, this module knows where the call is. Nothing is sent outside a call.
import type { Ray, Target } from '../annotations/raycast'
import type { WorkerSpaceActions } from '../scenes/own-space'
import { currentSession } from './call-controller'
import { guidanceActions, guidanceStore, sharedSpace } from './guidance'

/**
 * The worker's own pointer on their surfaces: with the laser tool it points (streamed while held, so the others
 * see what the worker means); with any other tool it marks. A mid-air pen has no ray, so it cannot point.
 */
function pointerAt(target: Target, ray: Ray | undefined, start: boolean) {
  if (guidanceStore.getState().tool === 'laser') {
    if (ray) guidanceActions.pointLaser(ray, target.point)
  } else if (start) {
    guidanceActions.pointerDown(target)
  } else {
    guidanceActions.pointerMove(target)
  }
}

export const workerSpaceActions: WorkerSpaceActions = {
  shareSpace: (sharing, fovY) => currentSession()?.shareSpace(sharing, fovY),
  shareSurface: (surface) => currentSession()?.shareSurface(surface),
  removeSurfaces: (ids) => currentSession()?.removeSurfaces(ids),
  broadcastHeadPose: (pose) => currentSession()?.broadcastHeadPose(pose),
  draw: {
    pointerDown: (target, ray) => pointerAt(target, ray, true),
    pointerMove: (target, ray) => pointerAt(target, ray, false),
    pointerUp: () => {
      if (guidanceStore.getState().tool === 'laser') guidanceActions.pointLaser(null, null)
      else guidanceActions.pointerUp()
    },
  },
  space: sharedSpace,
}
