// Screening and consent, in real Chromium: a patient who arrives before the clinician waits in the waiting room,
// answers the PHQ-9 their invite asks for and agrees to the record; the clinician sees the score before letting them
// in, and the record keeps the answers and the consent (in IndexedDB and in the FHIR export). A patient who
// declines leaves nothing of the call in the clinician's IndexedDB, read from the page itself. Screenshots of the
// questionnaire and the consent question at 1280x720 and 390x844 go to screenshots/.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Download, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { joinAs, keepScreenshot, openInvite, PHQ9_ANSWERS, useAppSuite, waitForPanels } from './harness'

const suite = useAppSuite()
const { log } = suite
const SHOTS = path.resolve(import.meta.dirname, '../screenshots')
mkdirSync(SHOTS, { recursive: true })

const participant = (viewport = { width: 1280, height: 720 }) => suite.participant(viewport)

/** What the clinician's browser holds in its record database, read from the page (tables and their rows). */
function readRecord(page: Page) {
  return page.evaluate(
    () =>
      new Promise<Record<string, Array<Record<string, unknown>>>>((resolve, reject) => {
        const request = indexedDB.open('xr-consult-record')
        request.onerror = () => reject(request.error)
        request.onsuccess = () => {
          const db = request.result
          const names = [...db.objectStoreNames]
          const result: Record<string, Array<Record<string, unknown>>> = {}
          if (!names.length) {
            db.close()
            resolve(result)
            return
          }
          const tx = db.transaction(names, 'readonly')
          for (const name of names) {
            const all = tx.objectStore(name).getAll()
            all.onsuccess = () => {
              result[name] = all.result as Array<Record<string, unknown>>
            }
          }
          tx.oncomplete = () => {
            db.close()
            resolve(result)
          }
          tx.onerror = () => reject(tx.error)
        }
      }),
  )
}

async function readDownload(download: Download): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** PHQ-9 answers by LOINC item code: 3+2+2+2+1+1+1+1+0 = 13, moderate. */
describe('screening before the call', () => {
  it('lets an early patient answer PHQ-9 in the waiting room; the clinician sees the score, admits them, and the record keeps answers and consent', async () => {
    const clinician = await participant()
    const { page } = clinician
    await page.goto(`${suite.server.url}?debug`)
    await page.getByTestId('waiting-room-option').check()
    await page.getByTestId('screening-option-phq9').check()
    await page.getByTestId('start').click()
    const patientLink = await page.getByTestId('invite-patient').inputValue()
    expect(new URL(patientLink).hash).toContain('screen=phq9')
    expect(new URL(await page.getByTestId('invite-clinician').inputValue()).hash).not.toContain('screen=')

    // The patient comes first: nobody is there to let them in.
    const patient = await participant()
    await openInvite(patient, patientLink, 'Pat Early', '?debug')
    await patient.page.getByTestId('waiting-room').waitFor({ timeout: 30_000 })
    const form = patient.page.getByTestId('questionnaire-phq9')
    await form.waitFor()
    // Sending with questions unanswered is refused in a sentence, and the unanswered ones say so.
    await patient.page.getByTestId('questionnaire-send-phq9').click()
    await expect(patient.page.getByTestId('questionnaire-problem-phq9').textContent()).resolves.toContain(
      '9 questions',
    )
    expect(await form.locator('.needed').count()).toBe(9)
    // The difficulty question appears only once a problem is checked (enableWhen on the score).
    expect(await patient.page.getByTestId('q-69722-7').count()).toBe(0)
    for (const [item, answer] of PHQ9_ANSWERS) await patient.page.getByTestId(`q-${item}-${answer}`).check()
    await expect(patient.page.getByTestId('q-44261-6').textContent()).resolves.toContain('13')
    await patient.page.getByTestId('q-69722-7-LA6573-5').check()
    await keepScreenshot(form, path.join(SHOTS, 'questionnaire-1280x720.png'))
    await keepScreenshot(patient.page, path.join(SHOTS, 'waiting-room-phq9-1280x720.png'))
    await patient.page.getByTestId('questionnaire-send-phq9').click()
    await patient.page.getByTestId('questionnaire-sent-phq9').waitFor()
    const consent = patient.page.getByTestId('consent')
    await keepScreenshot(consent, path.join(SHOTS, 'consent-1280x720.png'))
    await patient.page.getByTestId('consent-agree').click()
    await patient.page.getByTestId('consent-answer').waitFor()

    // The clinician arrives: the patient is waiting, with their score, before being let in.
    await page.getByTestId('own-role').selectOption('clinician')
    await page.getByTestId('continue').click()
    await joinAs(page, 'Dr. Screen')
    await page.getByTestId('admit').waitFor({ timeout: 30_000 })
    const score = page.getByTestId('phq9-score')
    await score.waitFor({ timeout: 30_000 })
    expect(await score.getAttribute('data-score')).toBe('13')
    expect(await score.textContent()).toContain('moderate')
    expect(await page.getByTestId('phq9-self-harm').count()).toBe(0)
    await expect
      .poll(() => page.getByTestId('record-consent').getAttribute('data-decision'), { timeout: 30_000 })
      .toBe('agreed')
    // Still waiting: the answers crossed the waiting room, the call did not.
    expect(await patient.page.getByTestId('waiting-room').count()).toBe(1)
    await keepScreenshot(page, path.join(SHOTS, 'clinician-sees-score-1280x720.png'))

    await page.getByTestId('admit').click()
    await waitForPanels(page, 1, 60_000)
    await waitForPanels(patient.page, 1, 60_000)

    // The record: the call with the patient's consent and answers, in IndexedDB and in the FHIR export.
    await expect
      .poll(async () => {
        const calls = (await readRecord(page)).calls ?? []
        return calls.map((c) => [
          (c.consent as { decision?: string } | undefined)?.decision,
          (c.screenings as Array<{ questionnaire: string }> | undefined)?.map((s) => s.questionnaire),
        ])
      })
      .toEqual([['agreed', ['phq9']]])
    await page.getByTestId('leave').click()
    await page.goto(suite.server.url)
    const entry = page.getByTestId('call-record').first()
    await entry.waitFor({ timeout: 15_000 })
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      entry.getByTestId('call-record-fhir').click(),
    ])
    const bundle = JSON.parse(await readDownload(download)) as {
      entry: Array<{ resource: { resourceType: string } & Record<string, unknown> }>
    }
    const types = bundle.entry.map((e) => e.resource.resourceType)
    expect(types).toContain('Questionnaire')
    expect(types).toContain('QuestionnaireResponse')
    expect(types).toContain('Consent')
    const response = bundle.entry.find((e) => e.resource.resourceType === 'QuestionnaireResponse')?.resource
    expect(JSON.stringify(response)).toContain(
      '"linkId":"44261-6","text":"Total score","answer":[{"valueInteger":13}]',
    )
    expect(log.foreign(suite.server.origin)).toEqual([])
    for (const person of [clinician, patient]) await person.context.close()
  })
})

describe('consent to the record', () => {
  it('keeps nothing of the call in the clinician’s IndexedDB when the patient declines', async () => {
    const clinician = await participant()
    const { page } = clinician
    await page.goto(`${suite.server.url}?debug`)
    await page.getByTestId('screening-option-intake').check()
    await page.getByTestId('start').click()
    const patientLink = await page.getByTestId('invite-patient').inputValue()
    await page.getByTestId('own-role').selectOption('clinician')
    await page.getByTestId('continue').click()
    await joinAs(page, 'Dr. Asks')

    // A patient on a phone.
    const patient = await participant({ width: 390, height: 844 })
    await openInvite(patient, patientLink, 'Pat Declines', '?debug')
    await waitForPanels(page, 1, 60_000)
    const consent = patient.page.getByTestId('consent')
    await consent.waitFor()
    await keepScreenshot(consent, path.join(SHOTS, 'consent-390x844.png'))
    await keepScreenshot(patient.page, path.join(SHOTS, 'call-consent-390x844.png'))
    const intake = patient.page.getByTestId('questionnaire-intake')
    await patient.page.getByTestId('q-pain-yes').check()
    await patient.page.getByTestId('q-pain-score').waitFor()
    await keepScreenshot(intake, path.join(SHOTS, 'questionnaire-390x844.png'))
    await expect(page.getByTestId('record-consent').getAttribute('data-decision')).resolves.toBe('none')

    // Agreed first: the record exists and fills with the patient's readings (so reading IndexedDB works).
    await patient.page.getByTestId('consent-agree').click()
    await patient.page.getByTestId('vitals-source').selectOption('sim:normal')
    await expect
      .poll(async () => ((await readRecord(page)).observations ?? []).length, { timeout: 30_000 })
      .toBeGreaterThan(0)

    // Then declined: everything of this call goes, and nothing more is written while the call goes on.
    await patient.page.getByTestId('consent-decline').click()
    await expect
      .poll(() => page.getByTestId('record-consent').getAttribute('data-decision'), { timeout: 30_000 })
      .toBe('declined')
    await expect
      .poll(async () => {
        const record = await readRecord(page)
        return Object.values(record).reduce((sum, rows) => sum + rows.length, 0)
      })
      .toBe(0)
    // Readings keep coming to the clinician's screen meanwhile.
    await page
      .locator(
        '[data-testid="vitals-table"]:not([hidden]) [data-testid="vital-heart-rate"] [data-role="value"]',
      )
      .first()
      .waitFor({ timeout: 30_000 })
    await page.waitForTimeout(2500)
    await page.getByTestId('leave').click()
    await page.getByTestId('past-calls-link').click()
    // Past calls still has its section, saying nothing was kept.
    // (Read until the list has loaded: it says "Reading past calls…" first.)
    await expect
      .poll(() => page.getByTestId('call-records').textContent())
      .toContain('No calls recorded in this browser yet.')
    const record = await readRecord(page)
    expect(Object.fromEntries(Object.entries(record).map(([name, rows]) => [name, rows.length]))).toEqual({
      alarmEvents: 0,
      annotations: 0,
      calls: 0,
      ecg: 0,
      observations: 0,
    })
    expect(log.foreign(suite.server.origin)).toEqual([])
    for (const person of [clinician, patient]) await person.context.close()
  })
})
