// The colours annotations are drawn in. One per seat by default, so the four participants of a room never share
// one; anyone may pick another from the same list. A fixed, named list (rather than any CSS colour) keeps the
// wire format small and bounded and guarantees every annotation stays readable on passthrough video.
//
// Why these: every colour is light (at least 7:1 contrast against black, WCAG's AAA level for text), so the
// renderer's dark outline or label backing separates it from a bright scene, and none is dark, because optical
// see-through headsets draw by adding light and show black as transparent. The first four (the seats) differ in
// lightness as well as hue. Colour is never the only cue: every annotation also carries its author's name.

export const PALETTE = [
  { name: 'yellow', hex: '#FFE14D' },
  { name: 'sky', hex: '#4DC3FF' },
  { name: 'magenta', hex: '#FF66CC' },
  { name: 'orange', hex: '#FF9A1F' },
  { name: 'green', hex: '#7CFF6B' },
  { name: 'violet', hex: '#C59BFF' },
  { name: 'aqua', hex: '#3DFFD8' },
  { name: 'white', hex: '#FFFFFF' },
] as const

export type ColourName = (typeof PALETTE)[number]['name']
export const COLOUR_NAMES: readonly [ColourName, ...ColourName[]] = [
  PALETTE[0].name,
  ...PALETTE.slice(1).map((colour) => colour.name),
]

const HEX = new Map<ColourName, string>(PALETTE.map((colour) => [colour.name, colour.hex]))

export function colourHex(name: ColourName): string {
  return HEX.get(name) ?? PALETTE[0].hex
}

/**
 * The default colour of a participant: by seat (0-based) when known, which gives the four seats of a room four
 * different colours; otherwise by a stable hash of the session id (two sessions may then collide).
 */
export function colourFor(seatOrSession: number | string): ColourName {
  const index = typeof seatOrSession === 'number' ? Math.abs(Math.trunc(seatOrSession)) : fnv1a(seatOrSession)
  return (PALETTE[index % PALETTE.length] ?? PALETTE[0]).name
}

/** 32-bit FNV-1a: stable across browsers and runs, unlike anything seeded. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
