// How a name fits on a tile's small caption (src/scenes/lecture-tiles.tsx): whole where possible, a smaller font
// or two lines before anything is cut. "Trainee 12" must stay distinguishable from "Trainee 1" on a 24 cm tile,
// so a name is cut (with an ellipsis) only when it does not fit on two lines at the smallest size. Pure: the
// canvas's measureText comes in as `measure`, so the rule is tested in Node.

/** Width of `text` at `size` px, in the same px as the box (a canvas context's measureText at that font). */
export type Measure = (text: string, size: number) => number

export interface FittedCaption {
  /** px */
  size: number
  lines: string[]
}

/** How much taller than its font a line is: the canvas draws lines this far apart. */
export const LINE_SPACING = 1.2

/**
 * The largest of `sizes` (largest first) at which `text` fits in `maxWidth` × `maxHeight` px: on one line, else
 * wrapped at spaces on as many lines as the height holds; at the smallest size, what still does not fit is cut
 * with an ellipsis on its last line.
 */
export function fitCaption(
  text: string,
  measure: Measure,
  maxWidth: number,
  maxHeight: number,
  sizes: readonly number[],
): FittedCaption {
  const words = text.split(/\s+/).filter(Boolean)
  const smallest = sizes.at(-1) ?? 12
  for (const size of sizes) {
    const lines = wrap(words, (line) => measure(line, size) <= maxWidth)
    const room = Math.max(1, Math.floor(maxHeight / (size * LINE_SPACING)))
    if (lines.length <= room && lines.every((line) => measure(line, size) <= maxWidth)) return { size, lines }
  }
  const room = Math.max(1, Math.floor(maxHeight / (smallest * LINE_SPACING)))
  const lines = wrap(words, (line) => measure(line, smallest) <= maxWidth)
  const kept = lines.slice(0, room)
  // The rest of the words join the last line kept, which is then cut to fit.
  const last = [lines.slice(room - 1).join(' ')]
  const cutLast = cut(last[0] ?? '', (line) => measure(line, smallest) <= maxWidth)
  return {
    size: smallest,
    lines: [...kept.slice(0, room - 1), cutLast].map((line, i) =>
      i < room - 1 ? cut(line, (l) => measure(l, smallest) <= maxWidth) : line,
    ),
  }
}

/** Words greedily on lines that `fits`; a single word too long for a line keeps its own line (cut later). */
function wrap(words: readonly string[], fits: (line: string) => boolean): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of words) {
    const longer = line ? `${line} ${word}` : word
    if (!line || fits(longer)) line = longer
    else {
      lines.push(line)
      line = word
    }
  }
  if (line) lines.push(line)
  return lines.length > 0 ? lines : ['']
}

/** `line`, shortened with an ellipsis until it `fits`. */
function cut(line: string, fits: (line: string) => boolean): string {
  if (fits(line)) return line
  let kept = line
  while (kept.length > 1 && !fits(`${kept}…`)) kept = kept.slice(0, -1)
  return `${kept.trimEnd()}…`
}
