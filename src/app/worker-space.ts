// What the on-site worker's AR view shares, sent through the call in progress: the scene (src/scenes/own-space.tsx)
// reads the headset, this module knows where the call is. Nothing is sent outside a call.
import type { WorkerSpaceActions } from '../scenes/own-space'
import { currentSession } from './call-controller'
import { guidanceActions } from './guidance'

export const workerSpaceActions: WorkerSpaceActions = {
  shareSpace: (sharing, fovY) => currentSession()?.shareSpace(sharing, fovY),
  shareSurface: (surface) => currentSession()?.shareSurface(surface),
  removeSurfaces: (ids) => currentSession()?.removeSurfaces(ids),
  broadcastHeadPose: (pose) => currentSession()?.broadcastHeadPose(pose),
  draw: {
    pointerDown: guidanceActions.pointerDown,
    pointerMove: guidanceActions.pointerMove,
    pointerUp: guidanceActions.pointerUp,
  },
}
