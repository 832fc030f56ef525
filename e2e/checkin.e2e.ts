// The check-in on the join screen, in real Chromium with its fake camera and microphone (the fake microphone
// beeps) against the real server: the camera works, the microphone is heard, the server answers, the speaker test
// asks and records the answer, and the page says something about VR and Bluetooth. Screenshots at a laptop's and
// a phone's size go to screenshots/ for a reviewer to look at.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { keepScreenshot, newParticipant, startConsultation, useAppSuite } from './harness'

const SCREENSHOTS = path.resolve(import.meta.dirname, '../screenshots')

const status = (page: Page, id: string) => page.getByTestId(`check-${id}`).getAttribute('data-status')
const verdict = (page: Page, id: string) => page.getByTestId(`check-${id}-verdict`).textContent()

describe('check-in before the call', () => {
  const suite = useAppSuite()

  it('reports a working camera, a microphone that is heard and the round trip to the server', async () => {
    const { page, context } = await newParticipant(suite.browser, suite.log)
    try {
      await startConsultation(page, suite.server.url, 'clinician')
      await page.getByTestId('checkin').waitFor()

      await expect.poll(() => status(page, 'camera')).toBe('ok')
      expect(await verdict(page, 'camera')).toBe('Your camera works')

      // Chromium's fake microphone beeps: its level passes the threshold, and the meter shows it.
      await expect.poll(() => status(page, 'microphone')).toBe('ok')
      expect(await verdict(page, 'microphone')).toBe('We hear you')
      await expect
        .poll(() => page.getByTestId('mic-meter').evaluate((m) => (m as HTMLMeterElement).value), {
          interval: 20,
        })
        .toBeGreaterThan(0)

      // The server answered: a verdict with the measured round trip, in ms.
      await expect.poll(() => status(page, 'server')).toMatch(/^(ok|warning)$/)
      expect(await verdict(page, 'server')).toMatch(/connection to the server is .*\(\d+ ms\)/)

      // The speaker test: play, then say whether it was heard.
      expect(await verdict(page, 'speaker')).toBe('Check your speakers')
      await page.getByTestId('play-tone').click()
      await page.getByTestId('heard-tone').click()
      expect(await status(page, 'speaker')).toBe('ok')
      expect(await verdict(page, 'speaker')).toBe('Your speakers work')

      // VR and Bluetooth each have an answer, whatever this browser offers.
      await expect.poll(() => status(page, 'headset')).not.toBe('checking')
      await expect.poll(() => status(page, 'bluetooth')).not.toBe('checking')
      // Ready, unless a loaded machine made even loopback's round trip "a little slow": then that is the one.
      expect(await page.getByTestId('checkin-summary').textContent()).toBe(
        (await status(page, 'server')) === 'ok'
          ? 'You are ready to join.'
          : '1 thing needs a look. You can still join: see what to do below.',
      )

      await mkdir(SCREENSHOTS, { recursive: true })
      await keepScreenshot(page, path.join(SCREENSHOTS, 'checkin-1280x720.png'), { fullPage: true })
      expect(suite.log.foreign(suite.server.origin)).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('works the same on a phone opened straight from an invite link', async () => {
    const host = await newParticipant(suite.browser, suite.log)
    const phone = await newParticipant(suite.browser, suite.log, { width: 390, height: 844 })
    try {
      const invites = await startConsultation(host.page, suite.server.url, 'clinician')
      await phone.page.goto(invites.patient ?? '')
      await phone.page.getByTestId('checkin').waitFor()
      await expect.poll(() => status(phone.page, 'camera')).toBe('ok')
      await expect.poll(() => verdict(phone.page, 'microphone')).toBe('We hear you')
      await expect.poll(() => status(phone.page, 'server')).toMatch(/^(ok|warning)$/)
      await mkdir(SCREENSHOTS, { recursive: true })
      await keepScreenshot(phone.page, path.join(SCREENSHOTS, 'checkin-390x844.png'), { fullPage: true })
    } finally {
      await host.context.close()
      await phone.context.close()
    }
  })
})
