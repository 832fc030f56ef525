import { describe, expect, it } from 'vitest'
import { createRoom } from '../room/invite'
import { admissionKey, newNonce, prove, TOKEN_LENGTH, verifyProof } from './admission'

/** Two session public keys' texts (only their equality matters to the proof). */
const KEY = 'K'.repeat(87)
const OTHER_KEY = 'L'.repeat(87)

describe('admission proofs', () => {
  it('verify for the same room secret, peers and nonce, and for nothing else', async () => {
    const room = createRoom()
    const key = await admissionKey(room)
    const sameKey = await admissionKey({ ...room })
    const nonce = newNonce()
    const proof = await prove(key, 'xc-a', 'xc-b', nonce, KEY)
    expect(proof).toHaveLength(TOKEN_LENGTH)
    expect(await verifyProof(sameKey, 'xc-a', 'xc-b', nonce, proof, KEY)).toBe(true)

    // Another secret for the same room id (someone who knows the id, not the invite).
    const wrongKey = await admissionKey({ roomId: room.roomId, secret: createRoom().secret })
    expect(
      await verifyProof(key, 'xc-a', 'xc-b', nonce, await prove(wrongKey, 'xc-a', 'xc-b', nonce, KEY), KEY),
    ).toBe(false)
    // The same secret in another room.
    const otherRoom = await admissionKey({ roomId: createRoom().roomId, secret: room.secret })
    expect(await verifyProof(otherRoom, 'xc-a', 'xc-b', nonce, proof, KEY)).toBe(false)
    // Replayed on another connection (another nonce), reflected back, or passed to a third peer.
    expect(await verifyProof(key, 'xc-a', 'xc-b', newNonce(), proof, KEY)).toBe(false)
    expect(await verifyProof(key, 'xc-b', 'xc-a', nonce, proof, KEY)).toBe(false)
    expect(await verifyProof(key, 'xc-a', 'xc-c', nonce, proof, KEY)).toBe(false)
    // With another session key than the one it was made with: a key cannot be swapped in.
    expect(await verifyProof(key, 'xc-a', 'xc-b', nonce, proof, OTHER_KEY)).toBe(false)
  })

  it('rejects garbage proofs without throwing', async () => {
    const key = await admissionKey(createRoom())
    for (const bad of ['', 'not base64!', 'A'.repeat(43), 'A'.repeat(44), '=', '\u0000'.repeat(43)]) {
      expect(await verifyProof(key, 'a', 'b', newNonce(), bad, KEY)).toBe(false)
    }
  })

  it('uses fresh nonces', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce))
    expect(nonces.size).toBe(100)
  })
})
