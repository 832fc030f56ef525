import { describe, expect, it } from 'vitest'
import {
  createConsultation,
  createSessionKey,
  inviteHoldsTogether,
  presentCredential,
  SignatureVerifier,
  sessionOf,
  verifyCredential,
} from './credentials'

describe('role credentials', () => {
  it('prove the role of the invite that presents them, for the session that presents them, and nothing else', async () => {
    const { invites, authority } = await createConsultation()
    const { roomId } = invites.clinician
    const clinician = await createSessionKey()
    const presented = await presentCredential(invites.clinician, clinician.publicKey)
    if (!presented) throw new Error('could not present')
    expect(
      await verifyCredential(authority.roomKey, roomId, 'clinician', presented, clinician.publicKey),
    ).toBe(true)

    // Seen on the wire and replayed by another participant with their own session key: refused.
    const thief = await createSessionKey()
    expect(await verifyCredential(authority.roomKey, roomId, 'clinician', presented, thief.publicKey)).toBe(
      false,
    )
    // Claimed for another role than the one the room key signed.
    expect(await verifyCredential(authority.roomKey, roomId, 'patient', presented, clinician.publicKey)).toBe(
      false,
    )
    // Checked against another room's key, or in another room.
    const other = await createConsultation()
    expect(
      await verifyCredential(other.authority.roomKey, roomId, 'clinician', presented, clinician.publicKey),
    ).toBe(false)
    expect(
      await verifyCredential(
        authority.roomKey,
        other.invites.clinician.roomId,
        'clinician',
        presented,
        clinician.publicKey,
      ),
    ).toBe(false)
    // A patient's invite with the clinician's public credential spliced in cannot bind it: it lacks the secret.
    const spliced = {
      ...invites.patient,
      role: 'clinician' as const,
      credential: { ...invites.clinician.credential, secret: invites.patient.credential.secret },
    }
    const forged = await presentCredential(spliced, thief.publicKey)
    expect(
      forged === null ||
        !(await verifyCredential(authority.roomKey, roomId, 'clinician', forged, thief.publicKey)),
    ).toBe(true)
  })

  it('make session ids from session keys, and check signatures only with the key that made them', async () => {
    const key = await createSessionKey()
    expect(key.session).toBe(await sessionOf(key.publicKey))
    expect(key.session).toHaveLength(22)
    expect(await sessionOf('not a key')).toBeNull()
    const data = new TextEncoder().encode('hello')
    const sig = await key.sign(data)
    const verifier = new SignatureVerifier()
    expect(await verifier.verify(key.publicKey, data, sig)).toBe(true)
    expect(await verifier.verify((await createSessionKey()).publicKey, data, sig)).toBe(false)
    expect(await verifier.verify(key.publicKey, new TextEncoder().encode('hellO'), sig)).toBe(false)
  })
})

describe('an invite checked on its own page', () => {
  it('holds together as issued, and not once its role, waiting flag, signature, room or key was changed', async () => {
    const { invites } = await createConsultation({ waitingRoom: true })
    const other = await createConsultation()
    for (const invite of Object.values(invites)) expect(await inviteHoldsTogether(invite)).toBe(true)
    const patient = invites.patient
    const { credential } = patient
    const flipped = `${credential.sig.at(0) === 'A' ? 'B' : 'A'}${credential.sig.slice(1)}`
    const altered = [
      // A patient's link edited to say clinician: the room key signed the role.
      { ...patient, role: 'clinician' as const },
      // The waiting room dropped from the link.
      { ...patient, credential: { ...credential, wait: false } },
      { ...patient, credential: { ...credential, sig: flipped } },
      { ...patient, roomId: other.invites.patient.roomId },
      { ...patient, roomKey: other.invites.patient.roomKey },
      // Another invite's private key: it cannot prove this invite's key.
      { ...patient, credential: { ...credential, secret: invites.clinician.credential.secret } },
    ]
    for (const invite of altered) expect(await inviteHoldsTogether(invite)).toBe(false)
  })
})
