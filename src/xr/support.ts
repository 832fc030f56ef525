// Which immersive modes this browser offers. No XR library here: the DOM shell asks before three.js is loaded.

export type ImmersiveMode = 'immersive-vr' | 'immersive-ar'

export async function immersiveSupport(): Promise<Record<ImmersiveMode, boolean>> {
  const xr = navigator.xr
  const check = async (mode: ImmersiveMode) => {
    try {
      return (await xr?.isSessionSupported(mode)) === true
    } catch {
      return false
    }
  }
  return { 'immersive-vr': await check('immersive-vr'), 'immersive-ar': await check('immersive-ar') }
}
