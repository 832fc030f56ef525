// Base64 of raw bytes, both ways, for binary payloads carried in JSON text (shared meshes) and in FHIR
// attachments. Browsers have atob/btoa but only for "binary strings": these do the byte detour in chunks.

/** Decodes base64 to bytes without atob's string detour; `null` if the text is not whole base64. */
export function base64ToBytes(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null
  try {
    const binary = atob(text)
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return bytes
  } catch {
    return null
  }
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  // String.fromCharCode takes its bytes as arguments: 32 KiB at a time stays far below any engine's limit.
  const chunk = 0x8000
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk))
  }
  return btoa(binary)
}
