import { describe, expect, it } from 'vitest'
import { createRoom } from '../room/invite'
import { admissionKey, prove, TOKEN_LENGTH, verifyProof } from './admission'

/** Two session public keys' texts (only their equality matters to the proof). */
const KEY = 'K'.repeat(87)
const OTHER_KEY = 'L'.repeat(87)
/** Certificate fingerprints of one connection, as each side's SDP states them, and of another connection. */
const FP_A = `sha-256 ${'AA:'.repeat(31)}AA`
const FP_B = `sha-256 ${'BB:'.repeat(31)}BB`
const FP_OTHER = `sha-256 ${'CC:'.repeat(31)}CC`

describe('admission proofs', () => {
  it('verify for the same room secret, peers, connection and key, and for nothing else', async () => {
    const room = createRoom()
    const key = await admissionKey(room)
    const sameKey = await admissionKey({ ...room })
    // A proves to B over their connection (A's certificate FP_A, B's FP_B).
    const proof = await prove(key, 'xc-a', 'xc-b', FP_A, FP_B, KEY)
    expect(proof).toHaveLength(TOKEN_LENGTH)
    expect(await verifyProof(sameKey, 'xc-a', 'xc-b', FP_A, FP_B, proof, KEY)).toBe(true)

    // Another secret for the same room id (someone who knows the id, not the invite).
    const wrongKey = await admissionKey({ roomId: room.roomId, secret: createRoom().secret })
    const wrong = await prove(wrongKey, 'xc-a', 'xc-b', FP_A, FP_B, KEY)
    expect(await verifyProof(key, 'xc-a', 'xc-b', FP_A, FP_B, wrong, KEY)).toBe(false)
    // The same secret in another room.
    const otherRoom = await admissionKey({ roomId: createRoom().roomId, secret: room.secret })
    expect(await verifyProof(otherRoom, 'xc-a', 'xc-b', FP_A, FP_B, proof, KEY)).toBe(false)
    // Replayed on another connection, reflected back, or passed to a third peer.
    expect(await verifyProof(key, 'xc-a', 'xc-b', FP_A, FP_OTHER, proof, KEY)).toBe(false)
    expect(await verifyProof(key, 'xc-b', 'xc-a', FP_B, FP_A, proof, KEY)).toBe(false)
    expect(await verifyProof(key, 'xc-a', 'xc-c', FP_A, FP_B, proof, KEY)).toBe(false)
    // A signalling server in the middle with certificates of its own: each side sees other fingerprints.
    expect(await verifyProof(key, 'xc-a', 'xc-b', FP_OTHER, FP_B, proof, KEY)).toBe(false)
    // With another session key than the one it was made with: a key cannot be swapped in.
    expect(await verifyProof(key, 'xc-a', 'xc-b', FP_A, FP_B, proof, OTHER_KEY)).toBe(false)
  })

  it('rejects garbage proofs without throwing', async () => {
    const key = await admissionKey(createRoom())
    for (const bad of ['', 'not base64!', 'A'.repeat(43), 'A'.repeat(44), '=', '\u0000'.repeat(43)]) {
      expect(await verifyProof(key, 'a', 'b', FP_A, FP_B, bad, KEY)).toBe(false)
    }
  })
})
