// For the tests: base64 decoded without atob/btoa, so that the exports' encoding is checked against RFC 4648
// itself rather than against the functions it is built on.

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** RFC 4648 base64 (padding optional) to UTF-8 text; throws on anything else. */
export function decodeBase64Utf8(encoded: string): string {
  const bytes: number[] = []
  let bits = 0
  let value = 0
  for (const char of encoded.replace(/=+$/, '')) {
    const sextet = BASE64_ALPHABET.indexOf(char)
    if (sextet < 0) throw new Error(`not base64: ${char}`)
    // 24 bits hold every bit not yet emitted (at most 6 + 7).
    value = ((value << 6) | sextet) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes.push((value >> bits) & 0xff)
    }
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes))
}
