// What a pointer makes in the worker's space, and the words the toolbars show for it. Here rather than beside the
// guidance actions (src/app/) because the in-XR palette (src/scenes/) shows the same list and may not import the app.

export const TOOLS = ['stroke', 'arrow', 'pin', 'laser'] as const
export type Tool = (typeof TOOLS)[number]

export const TOOL_LABELS: Record<Tool, string> = {
  stroke: 'Draw',
  arrow: 'Arrow',
  pin: 'Pin',
  laser: 'Laser',
}
