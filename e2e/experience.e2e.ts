// The consultation as people meet it: what a patient sees of their own readings, the clinician asking someone to
// leave (and that person staying out), the way out after a call, and the plain words for what is going on.
import { describe, expect, it } from 'vitest'
import {
  countIncomingMedia,
  incomingMedia,
  joinAs,
  openInvite,
  startConsultation,
  useAppSuite,
  waitForPanels,
} from './harness'

const suite = useAppSuite()

const participant = (viewport = { width: 900, height: 600 }) => suite.participant(viewport)

describe('the consultation as people meet it', () => {
  it('shows the patient their own readings as they share them', async () => {
    const clinician = await participant()
    const invites = await startConsultation(clinician.page, `${suite.server.url}?debug`, 'clinician')
    await joinAs(clinician.page, 'Dr. Own')
    const patient = await participant()
    await openInvite(patient, invites.patient as string, 'Pat Own', '?debug')
    await waitForPanels(clinician.page, 1, 60_000)
    await patient.page.getByTestId('vitals-source').selectOption('sim:normal')
    const own = patient.page.locator('[data-testid="vitals-table"][data-peer="self"]')
    await expect
      .poll(() => own.locator('[data-testid="vital-heart-rate"] [data-role="value"]').textContent(), {
        timeout: 15_000,
      })
      .toMatch(/^\d{2,3}$/)
    await expect(own.isVisible()).resolves.toBe(true)
    for (const person of [clinician, patient]) await person.context.close()
  })

  it('lets the clinician ask a participant to leave: gone from everyone’s call, told why, and refused on return', async () => {
    const clinician = await participant()
    const invites = await startConsultation(clinician.page, `${suite.server.url}?debug`, 'clinician')
    await joinAs(clinician.page, 'Dr. Host')
    const patient = await participant()
    await openInvite(patient, invites.patient as string, 'Pat Patient', '?debug')
    const guest = await participant()
    await openInvite(guest, invites.specialist as string, 'Uninvited Guest', '?debug')
    await waitForPanels(clinician.page, 2, 90_000)
    await waitForPanels(patient.page, 2, 90_000)

    // Only the clinician has the button.
    await expect(patient.page.getByTestId('ask-to-leave').count()).resolves.toBe(0)
    const guestRow = clinician.page.locator('[data-testid="participant"]', { hasText: 'Uninvited Guest' })
    await guestRow.getByTestId('ask-to-leave').click()
    await guestRow.getByTestId('ask-to-leave-confirm').click()

    // The guest is told, and has no way back in from this screen.
    await guest.page.getByTestId('ended-because').waitFor({ timeout: 30_000 })
    await expect(guest.page.getByTestId('ended-because').textContent()).resolves.toBe(
      'Dr. Host asked you to leave the consultation.',
    )
    await expect(guest.page.getByTestId('rejoin').count()).resolves.toBe(0)
    // Gone from everyone's call, with a sentence saying who asked.
    for (const page of [clinician.page, patient.page]) {
      await waitForPanels(page, 1, 30_000)
      await expect
        .poll(() => page.getByTestId('participants').textContent(), { timeout: 30_000 })
        .not.toContain('Uninvited Guest')
    }
    await expect
      .poll(() => patient.page.getByTestId('notices').textContent(), { timeout: 30_000 })
      .toContain('Dr. Host asked Uninvited Guest to leave the call.')

    // The same link again, in a fresh page (a new session): nobody lets it in.
    const back = await participant()
    await openInvite(back, invites.specialist as string, 'Uninvited Guest', '?debug')
    await expect
      .poll(() => back.page.getByTestId('participants').textContent(), { timeout: 20_000 })
      .toContain('Waiting for the others to join')
    // Long enough for any dial to have been answered (setup re-dials included), it is still alone.
    await back.page.getByTestId('alone-hint').waitFor({ timeout: 40_000 })
    await expect(back.page.locator('[data-testid="participant"]').count()).resolves.toBe(0)
    await expect(clinician.page.getByTestId('participants').textContent()).resolves.not.toContain(
      'Uninvited Guest',
    )
    for (const person of [clinician, patient, guest, back]) await person.context.close()
  })

  it('keeps an early patient in the waiting room, with no media or call data either way, until let in', async () => {
    const clinician = await participant()
    await clinician.page.goto(`${suite.server.url}?debug`)
    await clinician.page.getByTestId('waiting-room-option').check()
    await clinician.page.getByTestId('start').click()
    const patientLink = await clinician.page.getByTestId('invite-patient').inputValue()
    expect(new URL(patientLink).hash).toContain('wait=1')
    await clinician.page.getByTestId('own-role').selectOption('clinician')
    await clinician.page.getByTestId('continue').click()
    await joinAs(clinician.page, 'Dr. Door')

    const patient = await participant()
    // Every RTCPeerConnection's incoming media is counted: none may arrive while waiting.
    await countIncomingMedia(patient.page)
    await openInvite(patient, patientLink, 'Pat Early', '?debug')
    await patient.page.getByTestId('waiting-room').waitFor({ timeout: 30_000 })
    await clinician.page.getByTestId('admit').waitFor({ timeout: 30_000 })
    await expect
      .poll(() => clinician.page.getByTestId('notices').textContent(), { timeout: 10_000 })
      .toContain('Pat Early is waiting to be let in.')
    await clinician.page.getByTestId('chat-input').fill('Not for the waiting room')
    await clinician.page.getByTestId('chat-send').click()
    // Long enough for media to have been offered and answered, were it allowed.
    await patient.page.waitForTimeout(3000)
    expect(await incomingMedia(patient.page)).toBe(0)
    await expect(patient.page.locator('[data-testid="chat-message"]').count()).resolves.toBe(0)
    await expect(clinician.page.evaluate(() => window.__xrConsult?.panels().length ?? 0)).resolves.toBe(0)

    await clinician.page.getByTestId('admit').click()
    await patient.page.getByTestId('waiting-room').waitFor({ state: 'detached', timeout: 30_000 })
    await waitForPanels(clinician.page, 1, 60_000)
    await waitForPanels(patient.page, 1, 60_000)
    // Once let in, the clinician's media does arrive: what the count above would have seen.
    await expect.poll(() => incomingMedia(patient.page), { timeout: 30_000 }).toBeGreaterThan(0)
    // The history comes once in.
    await patient.page
      .getByTestId('chat-list')
      .getByText('Not for the waiting room')
      .waitFor({ timeout: 30_000 })
    for (const person of [clinician, patient]) await person.context.close()
  })

  it('offers the way on after leaving: rejoin, start another consultation, past calls', async () => {
    const clinician = await participant()
    await startConsultation(clinician.page, `${suite.server.url}?debug`, 'clinician')
    await joinAs(clinician.page, 'Dr. Leaving')
    await clinician.page.getByTestId('leave').click()
    for (const id of ['rejoin', 'start-another', 'past-calls-link']) {
      await clinician.page.getByTestId(id).waitFor()
    }
    await clinician.page.getByTestId('start-another').click()
    await clinician.page.getByTestId('start').waitFor()
    expect(new URL(clinician.page.url()).hash).toBe('')
    await clinician.context.close()
  })
})
