// Credentials prove a role only for a session their invite bound: one copied from someone's hello proves nothing.
import { describe, expect, it } from 'vitest'
import { bindSession, createConsultation, createSessionKey, verifyCredential } from './credentials'

describe('credentials', () => {
  it('prove the invite’s role for a session the invite key bound, and nothing else', async () => {
    const { invites, room } = await createConsultation()
    const other = await createConsultation()
    const pat = invites.patient
    const session = await createSessionKey()
    const bind = await bindSession(pat, session.publicKey)
    const verify = (role = pat.role, credential = pat.credential, key = session.publicKey, binding = bind) =>
      verifyCredential(pat.roomKey, room.roomId, role, credential, key, binding)

    expect(await verify()).toBe(true)
    // Another role, another room's key, another room's credential.
    expect(await verify('clinician')).toBe(false)
    expect(
      await verifyCredential(
        other.invites.patient.roomKey,
        room.roomId,
        'patient',
        pat.credential,
        session.publicKey,
        bind,
      ),
    ).toBe(false)
    expect(await verify('worker', other.invites.worker.credential)).toBe(false)
    // Pat's credential replayed by someone who saw it: with Pat's binding (of Pat's session, not theirs), or with
    // one made by their own invite's key.
    const mallory = await createSessionKey()
    expect(await verify('patient', pat.credential, mallory.publicKey, bind)).toBe(false)
    const ownBinding = await bindSession(invites.worker, mallory.publicKey)
    expect(await verify('patient', pat.credential, mallory.publicKey, ownBinding)).toBe(false)
    // A credential whose invite key was swapped for the replayer's: the room's signature covers the key.
    const swapped = { ...pat.credential, key: invites.worker.credential.key }
    expect(await verify('patient', swapped, mallory.publicKey, ownBinding)).toBe(false)
    // Garbage never throws.
    expect(await verify('patient', { inviteId: 'x', key: 'y', sig: 'z' }, 'k', 'b')).toBe(false)
  })
})
