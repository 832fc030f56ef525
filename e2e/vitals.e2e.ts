// Live vitals end to end: a patient page shares the simulator's numerics and ECG, a clinician page shows them on
// the 3D monitor and in the DOM table, raises the SpO₂ alarm in a desaturation, and greys out the panels when the
// patient stops.
import type { Download, Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import {
  agreeToRecord,
  differingPixels,
  joinAs,
  newParticipant,
  openInvite,
  type Participant,
  sampleCanvas,
  startConsultation,
  useAppSuite,
  waitForPanels,
} from './harness'

const suite = useAppSuite()
const { log } = suite
let clinician: Participant
let patient: Participant
let patientPeer = ''

afterAll(() => {
  for (const person of [clinician, patient]) if (person) console.log(person.trace.join('\n'))
})

async function readDownload(download: Download): Promise<string> {
  const stream = await download.createReadStream()
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
}

function row(page: Page, kind: string) {
  return page.locator(
    `[data-testid="vitals-table"][data-peer="${patientPeer}"] [data-testid="vital-${kind}"]`,
  )
}

async function cell(page: Page, kind: string, role: string): Promise<string> {
  return (await row(page, kind).locator(`[data-role="${role}"]`).textContent()) ?? ''
}

describe('live vitals from a patient to a clinician', () => {
  it('shows the simulator’s values, labelled simulated, and a manual reading within 1.5 s', async () => {
    clinician = await newParticipant(suite.browser, log)
    patient = await newParticipant(suite.browser, log, { width: 640, height: 360 })
    const invites = await startConsultation(clinician.page, `${suite.server.url}?debug`, 'clinician')
    await joinAs(clinician.page, 'Dr. Vital')
    await openInvite(patient, invites.patient as string, 'Pat Vitals', '?debug')
    const [panel] = await waitForPanels(clinician.page, 1, 60_000)
    patientPeer = panel?.peerId ?? ''
    // The clinician's record of the call (the last test reads it) starts once the patient agrees.
    await agreeToRecord(patient.page, clinician.page)

    await patient.page.getByTestId('vitals-source').selectOption('sim:normal')
    await expect
      .poll(() => cell(clinician.page, 'heart-rate', 'value'), { timeout: 15_000 })
      .toMatch(/^\d{2,3}$/)
    expect(Number(await cell(clinician.page, 'spo2', 'value'))).toBeGreaterThanOrEqual(94)
    expect(await cell(clinician.page, 'heart-rate', 'source')).toBe('SIMULATED')

    // A change reaches the clinician within 1.5 s: both timestamps from the pages' shared clock.
    await clinician.page.evaluate((peer) => {
      const target = document.querySelector(
        `[data-testid="vitals-table"][data-peer="${peer}"] [data-testid="vital-temperature"] [data-role="value"]`,
      )
      const seen = { at: 0, source: '' }
      Object.assign(window, { __tempSeen: seen })
      new MutationObserver(() => {
        if (target?.textContent === '39.4' && seen.at === 0) {
          seen.at = Date.now()
          // The simulator's next temperature replaces it within a second: read the source now.
          seen.source = target.closest('tr')?.querySelector('[data-role="source"]')?.textContent ?? ''
        }
      }).observe(target as Node, { childList: true, characterData: true, subtree: true })
    }, patientPeer)
    await patient.page.getByRole('button', { name: 'Enter a reading' }).click()
    await patient.page.getByTestId('manual-kind').selectOption('temperature')
    await patient.page.getByTestId('manual-value').fill('39.4')
    const sentAt = await patient.page.evaluate(() => {
      const at = Date.now()
      document.querySelector<HTMLButtonElement>('[data-testid="manual-send"]')?.click()
      return at
    })
    await expect
      .poll(() =>
        clinician.page.evaluate(() => (window as unknown as { __tempSeen: { at: number } }).__tempSeen.at),
      )
      .toBeGreaterThan(0)
    const seenAt = await clinician.page.evaluate(
      () => (window as unknown as { __tempSeen: { at: number } }).__tempSeen.at,
    )
    expect(seenAt - sentAt).toBeLessThan(1500)
    const seenSource = await clinician.page.evaluate(
      () => (window as unknown as { __tempSeen: { source: string } }).__tempSeen.source,
    )
    expect(seenSource).toBe('Manual entry')
    // A reading that cannot be right is refused in plain words, and nothing is sent.
    await patient.page.getByTestId('manual-kind').selectOption('heart-rate')
    await patient.page.getByTestId('manual-value').fill('400')
    await patient.page.getByTestId('manual-send').click()
    await expect(patient.page.getByRole('alert').textContent()).resolves.toMatch(/not possible/)
  })

  it('draws the numerics and a moving ECG strip beside the patient’s video in 3D', async () => {
    const page = clinician.page
    await page.waitForFunction(
      (peer) => window.__xrConsult?.objectOnScreen(`vitals-ecg:${peer}`)?.inView === true,
      patientPeer,
      { timeout: 15_000 },
    )
    const numerics = await page.evaluate(
      (peer) => window.__xrConsult?.objectOnScreen(`vitals-numerics:${peer}`),
      patientPeer,
    )
    expect(numerics?.inView).toBe(true)
    const strip = await page.evaluate(
      (peer) => window.__xrConsult?.objectOnScreen(`vitals-ecg:${peer}`),
      patientPeer,
    )
    if (!strip) throw new Error('no ECG strip')
    // The sweep moves: two screenshots of the strip a moment apart differ.
    const first = await sampleCanvas(page, strip.x, strip.y, 60)
    await expect
      .poll(async () => differingPixels(first.raw, (await sampleCanvas(page, strip.x, strip.y, 60)).raw), {
        timeout: 10_000,
        interval: 300,
      })
      .toBeGreaterThan(10)
    // And the samples arrive at 250 Hz in 400 ms frames.
    const written = () =>
      page.evaluate(
        (peer) =>
          (
            window as unknown as {
              __xrConsultCall: { vitals: { get(p: string): { ecg: { written: number } } } }
            }
          ).__xrConsultCall.vitals.get(peer).ecg.written,
        patientPeer,
      )
    const before = await written()
    await expect.poll(written, { timeout: 5_000 }).toBeGreaterThan(before + 200)
  })

  it('raises the SpO₂ alarm on the clinician’s side in a desaturation, and it can be acknowledged', async () => {
    await patient.page.getByTestId('vitals-source').selectOption('sim:desaturation')
    const alarm = clinician.page.locator('[data-testid="alarm"][data-kind="spo2"]')
    await alarm.first().waitFor({ timeout: 120_000 })
    await expect(alarm.first().textContent()).resolves.toMatch(/SpO₂ low/)
    await expect(row(clinician.page, 'spo2').getAttribute('data-alarm')).resolves.toMatch(/^(high|medium)$/)
    await alarm.first().getByTestId('alarm-ack').click()
    await expect.poll(() => alarm.first().textContent()).toMatch(/acknowledged/)
  })

  it('lets the clinician choose a profile and change an escalation, refusing one that does not rise', async () => {
    const page = clinician.page
    await page.getByRole('button', { name: 'Alarm limits' }).click()
    await page.getByTestId('alarm-profile').selectOption('neonatal')
    await page.getByTestId('limit-kind').selectOption('heart-rate')
    const summary = page.getByTestId('alarm-escalation')
    const neonatal = await summary.textContent()
    await page.getByTestId('alarm-profile').selectOption('adult')
    await expect.poll(() => summary.textContent()).not.toBe(neonatal)
    await expect(summary.textContent()).resolves.toMatch(/high beyond 40 bpm/)

    await page.getByTestId('escalation-editor').locator('summary').click()
    // Medium just outside the limit, high further out: making the limit itself high leaves nothing to rise to.
    await page.getByTestId('escalation-low-at-limit').selectOption('high')
    await page.getByTestId('escalation-set').click()
    await expect
      .poll(() => page.getByTestId('escalation-editor').getByRole('alert').textContent())
      .toMatch(/must each raise the priority/)
    await expect(summary.textContent()).resolves.toMatch(/high beyond 40 bpm/)

    await page.getByTestId('escalation-low-at-limit').selectOption('medium')
    await page.getByTestId('escalation-low-0').fill('35')
    await page.getByTestId('escalation-set').click()
    await expect.poll(() => summary.textContent()).toMatch(/high beyond 35 bpm/)
    await expect(page.getByTestId('alarm-profile').locator('option:checked').textContent()).resolves.toMatch(
      /changed/,
    )
    await page.getByTestId('alarm-log').locator('summary').click()
    await expect.poll(() => page.getByTestId('alarm-log').textContent()).toMatch(/escalation changed/)
  })

  it('greys the panels out when the patient stops sharing', async () => {
    await patient.page.getByTestId('vitals-source').selectOption('off')
    await expect
      .poll(() => row(clinician.page, 'heart-rate').getAttribute('data-stale'), { timeout: 10_000 })
      .toBe('true')
    await expect(
      clinician.page
        .locator(`[data-testid="vitals-table"][data-peer="${patientPeer}"] [data-role="stopped"]`)
        .isVisible(),
    ).resolves.toBe(true)
    expect(log.foreign(suite.server.origin)).toEqual([])
    expect(clinician.errors).toEqual([])
    expect(patient.errors).toEqual([])
  })

  it('keeps the call’s vitals on the clinician’s device and exports them as FHIR R4 and CSV', async () => {
    const page = clinician.page
    await page.getByTestId('leave').click()
    await page.goto(suite.server.url)
    const entry = page.getByTestId('call-record').first()
    await entry.waitFor({ timeout: 15_000 })
    await expect(entry.textContent()).resolves.toContain('Pat Vitals')

    const [fhirDownload] = await Promise.all([
      page.waitForEvent('download'),
      entry.getByTestId('call-record-fhir').click(),
    ])
    const bundle = JSON.parse(await readDownload(fhirDownload))
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' })
    const observations = bundle.entry
      .map((e: { resource: { resourceType: string } }) => e.resource)
      .filter((r: { resourceType: string }) => r.resourceType === 'Observation')
    const heartRate = observations.find(
      (o: { code: { coding: { code: string }[] } }) => o.code.coding[0]?.code === '8867-4',
    )
    expect(heartRate).toMatchObject({
      status: 'final',
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' },
          ],
        },
      ],
      valueQuantity: { system: 'http://unitsofmeasure.org', code: '/min' },
    })
    // Simulated values say so in the export too.
    expect(JSON.stringify(heartRate)).toMatch(/[Ss]imulated/)
    const ecgs = observations.filter((o: { valueSampledData?: unknown }) => o.valueSampledData)
    expect(ecgs.length).toBeGreaterThan(0)
    for (const ecg of ecgs) expect(ecg.valueSampledData).toMatchObject({ period: 4, dimensions: 1 })
    // Contiguous chunks are merged into one Observation each; together they hold seconds of ECG.
    const samples = ecgs.reduce(
      (sum: number, ecg: { valueSampledData: { data: string } }) =>
        sum + ecg.valueSampledData.data.split(' ').length,
      0,
    )
    expect(samples).toBeGreaterThan(250)

    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      entry.getByTestId('call-record-csv').click(),
    ])
    const csv = await readDownload(csvDownload)
    expect(csv.split('\r\n')[0]).toMatch(/vital/i)
    expect(csv).toContain('8867-4')
    expect(csv).toContain('39.4')
    expect(log.foreign(suite.server.origin)).toEqual([])
  })
})
