// Types of the scene probe (src/scenes/scene-probe.tsx), shared with the browser tests and benchmarks.

export interface PanelOnScreen {
  peerId: string
  /** CSS pixels from the page's top-left corner (the panel centre) */
  x: number
  y: number
  /** the panel's centre is inside the view frustum and in front of the camera */
  inView: boolean
  /** the panel has drawn at least one video frame (not a placeholder) */
  showsVideo: boolean
}

export interface SceneProbe {
  frames: number
  xrFrames: number
  /** Time of the first frame that drew a remote video panel showing video, ms (performance.now()). */
  firstVideoFrameAt: number | null
  panels: () => PanelOnScreen[]
  /** Page position (CSS pixels) of the first object with this name, and whether it is in view; or null. */
  objectOnScreen: (name: string) => { x: number; y: number; inView: boolean } | null
  /**
   * Page rectangle (CSS pixels) round the first object with this name (its world bounding box's corners, projected),
   * and whether all of it is in view; or null without such an object.
   */
  boxOnScreen: (
    name: string,
  ) => { left: number; top: number; right: number; bottom: number; inView: boolean } | null
  /**
   * The same, round the object's bounding box taken in its own frame (its meshes' boxes brought into the object's
   * axes): for a flat panel turned aside, its own corners, where the world box would add the depth the turn gives
   * it and grow well past what is drawn. `corners`: that box's eight corners on the page, whose outline is the
   * object's (the rectangle round them is larger where perspective widens one end).
   */
  ownBoxOnScreen: (name: string) => {
    left: number
    top: number
    right: number
    bottom: number
    inView: boolean
    corners: Array<{ x: number; y: number }>
  } | null
  /** World position of the first object with this name (metres), or null. */
  worldPosition: (name: string) => [number, number, number] | null
  /**
   * Page position (CSS pixels) of a point of the on-site worker's space (their reference space, metres) as the
   * miniature of it shows it, and whether it is in view; null without a miniature.
   */
  workerSpaceToScreen: (point: [number, number, number]) => { x: number; y: number; inView: boolean } | null
  /**
   * Starts watching for an object by name: `drawnAt[name]` becomes the performance.now() of the first frame that
   * drew the scene with it in (the benchmark's "mark made → drawn on the other side").
   */
  watch: (name: string) => void
  drawnAt: Record<string, number>
  /**
   * Objects whose name starts with `prefix` (shared items, models, screens): where each is on the page, whether it
   * is in view, and its own orientation (x, y, z, w) relative to its parent.
   */
  named: (prefix: string) => Array<{
    name: string
    x: number
    y: number
    inView: boolean
    quaternion: [number, number, number, number]
    /** The version of its material's texture: above 0 once a picture or a video frame reached it. */
    mapVersion: number
  }>
  /**
   * What the renderer holds on the GPU now (three's `renderer.info`): textures and geometries uploaded and not yet
   * disposed, and compiled shader programs. A count that grows with every join and leave is a leak. And what the
   * last frame drew: draw calls and triangles (both eyes in XR), what a software-rendered frame's cost follows.
   */
  renderer: () => { textures: number; geometries: number; programs: number; calls: number; triangles: number }
  /**
   * Position of the first object named `name` in the frame of the first object named `frame` (e.g. a mark in its
   * model's own space), or null if either is missing.
   */
  localPosition: (name: string, frame: string) => [number, number, number] | null
  /**
   * Desktop view only: moves the camera 60 % of the way from the user's spot towards the object named `name`,
   * looking at it, so a test can point at it; false without such an object or in XR.
   */
  focus: (name: string) => boolean
  /** The emissive colour (0xRRGGBB) of the first mesh at or below the object named `name`, or null. */
  emissive: (name: string) => number | null
  /**
   * The text of every uikit Text inside the first object with this name (a headset panel, a row), in scene order,
   * as uikit holds it to draw; null without such an object.
   */
  uikitText: (name: string) => string[] | null
  /**
   * Where the four corners (top left, clockwise) of a named uikit component are on the page, and whether each is in
   * view: a panel is whole in view when all four are. Null without such a component or before its layout.
   */
  uikitBoxOnScreen: (name: string) => { corners: Array<{ x: number; y: number; inView: boolean }> } | null
  /**
   * How far the first object with this name turns away from facing the camera, degrees: the angle between its
   * front (+z, a panel's face) and the camera's backward axis. 0 is square to the view; 90 is edge-on. Null when
   * no such object.
   */
  facingAngle: (name: string) => number | null
  /**
   * On-screen height, CSS pixels, of every sprite (a camera-facing label) whose name starts with `prefix`: its
   * world height projected at its distance.
   */
  spriteHeights: (prefix: string) => number[]
  /** What surrounds the panels: the VR consultation room, the desktop grid, or nothing (AR passthrough). */
  surroundings: () => 'room' | 'grid' | 'none'
}

declare global {
  interface Window {
    __xrConsult?: SceneProbe
  }
}
