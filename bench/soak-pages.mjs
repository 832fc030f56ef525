// @ts-check
// The soak's call and what it does to it, shared by the 30-minute soak (bench/long-call.mjs, part 4) and its
// accelerated reproduction (bench/soak-accelerated.mjs): a clinician, a patient sharing the simulator's vitals and
// ECG, and an on-site worker in emulated AR sharing its surroundings; a pin on the worker's floor; frames drawn.
import { joinCall, openInvite, startConsultation, waitForPanels, withQuery } from './common.mjs'

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {{ page: Page }} SoakPage */

/**
 * Until `page` holds a worker's shared space: its surfaces and its head pose (what the guidance bench and the soak
 * wait for after the worker enters AR). @param {import('playwright-core').Page} page @param {number} polling ms
 */
export function sharedSpaceSeen(page, polling) {
  return page.waitForFunction(
    () => {
      const g = /** @type {any} */ (window).__xrConsultGuidance
      const peers = Object.keys(g?.consultStore.getState().participants ?? {})
      const peer = g?.space.sharingPeer(peers)
      const space = peer ? g?.space.get(peer) : undefined
      return (space?.surfaces.size ?? 0) > 0 && space?.head != null
    },
    undefined,
    { timeout: 60_000, polling },
  )
}

/**
 * Opens the soak's three pages in one call and waits until each shows what the soak measures: the clinician the
 * patient's ECG and the worker's shared space, the worker its XR frames.
 * @template {SoakPage} P
 * @param {(viewport: { width: number, height: number }) => Promise<P>} participant opens a page
 * @param {string} appUrl
 */
export async function openSoakCall(participant, appUrl) {
  const clinician = await participant({ width: 800, height: 450 })
  const invites = await startConsultation(clinician.page, withQuery(appUrl, '?debug'), 'clinician')
  await joinCall(clinician.page, 'Soak clinician')
  const patient = await participant({ width: 640, height: 360 })
  await openInvite(patient.page, invites.patient ?? '', 'Soak patient', '?debug')
  const patientPeer = (await waitForPanels(clinician.page, 1, 60_000))[0]?.peerId
  await patient.page.getByTestId('participants').locator('[data-testid="participant"]').first().waitFor()
  await patient.page.getByTestId('vitals-source').selectOption('sim:normal')
  await clinician.page.waitForFunction(
    (p) => window.__xrConsult?.objectOnScreen(`vitals-ecg:${p}`) != null,
    patientPeer,
    { timeout: 60_000 },
  )
  // 800×450: the emulated headset renders two eyes in software (as in the XR browser tests).
  const worker = await participant({ width: 800, height: 450 })
  await openInvite(
    worker.page,
    invites.worker ?? '',
    'Soak worker',
    '?debug&emulate=quest3&devui=0&env=office_small',
  )
  await worker.page.getByTestId('enter-ar').click({ timeout: 60_000 })
  await worker.page.waitForFunction(() => (window.__xrConsult?.xrFrames ?? 0) > 10, undefined, {
    timeout: 60_000,
  })
  await sharedSpaceSeen(clinician.page, 500)
  await waitForPanels(clinician.page, 2, 60_000)
  return { clinician, patient, worker }
}

/**
 * A pin on the worker's floor, through the clinician's guidance actions (as a click on the miniature makes one).
 * @param {Page} page @param {number} minute
 */
export function makeMark(page, minute) {
  return page.evaluate((m) => {
    const g = /** @type {any} */ (window).__xrConsultGuidance
    const peers = Object.keys(g.consultStore.getState().participants)
    const peer = g.space.sharingPeer(peers)
    const space = peer ? g.space.get(peer) : undefined
    if (!space) return false
    for (const surface of space.surfaces.values()) {
      if (surface.kind === 'plane' && /floor/i.test(surface.label)) {
        // Spread over the floor: a different spot each minute, within half a metre of its centre.
        const angle = m * 0.7
        const point = [
          surface.position[0] + 0.4 * Math.cos(angle),
          surface.position[1],
          surface.position[2] + 0.4 * Math.sin(angle),
        ]
        g.actions.setTool('pin')
        g.actions.pointerDown({ point, normal: [0, 1, 0], approximate: false })
        g.actions.pointerUp()
        return true
      }
    }
    return false
  }, minute)
}

/** Frames drawn so far, and XR frames in an XR session, with the page's clock. @param {Page} page */
export function frames(page) {
  return page.evaluate(() => {
    const probe = window.__xrConsult
    return { frames: probe?.frames ?? NaN, xr: probe?.xrFrames ?? NaN, at: performance.now() }
  })
}
