// Text for the 3D captions and buttons, in what their font can draw. The bundled MSDF Inter (src/scenes/ui-font.ts)
// holds printable ASCII, °, §, ß and the German umlauts only: a glyph it lacks is drawn as nothing, so "SpO₂ low"
// would read "SpO low". Common typography gets its ASCII look-alike; anything else becomes '?', visibly.

/** Every character the font has (from @pmndrs/msdfonts' Inter medium charset). */
const DRAWABLE = new Set(
  ` °!"#$%&'()*+,-./0123456789:;<=>?@ÄÖÜABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_\`äöüabcdefghijklmnopqrstuvwxyz{|}~ß§`,
)

const LOOK_ALIKES: Record<string, string> = {
  '₀': '0',
  '₁': '1',
  '₂': '2',
  '₃': '3',
  '·': '-',
  '–': '-',
  '—': '-',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '…': '...',
  '\u00a0': ' ',
  '\u202f': ' ',
  '×': 'x',
  é: 'e',
  è: 'e',
  á: 'a',
  ó: 'o',
  í: 'i',
  ñ: 'n',
}

/** `text` with every character the 3D font cannot draw replaced (see above). */
export function drawableText(text: string): string {
  let out = ''
  for (const char of text) {
    if (DRAWABLE.has(char)) out += char
    else if (char === '\n' || char === '\t') out += ' '
    else out += LOOK_ALIKES[char] ?? '?'
  }
  return out
}
