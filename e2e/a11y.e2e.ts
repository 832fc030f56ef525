// Accessibility of every screen, checked by axe-core in real Chromium: the lobby (before and after starting a
// consultation), the check-in, the call as each role sees it (the clinician with live vitals, an alarm and the
// limits editor open; the patient; the specialist; the worker), the screen after leaving, and the past calls.
// Each must have no serious or critical violation (WCAG 2.1 A and AA, plus axe's best practices), and Tab must
// reach every visible control on it, each with a visible focus ring.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { joinAs, newParticipant, openInvite, type Participant, useAppSuite, waitForPanels } from './harness'

const require = createRequire(import.meta.url)
const AXE_PATH = require.resolve('axe-core/axe.min.js')

interface Finding {
  id: string
  impact: string | null
  help: string
  targets: string[]
}

declare const axe: {
  run: (
    context: Document,
    options: object,
  ) => Promise<{
    violations: {
      id: string
      impact?: string | null
      help: string
      nodes: { target: unknown[]; failureSummary?: string }[]
    }[]
  }>
}

/**
 * axe's serious and critical violations on the page as it is now. axe is evaluated in the page rather than added
 * as a <script> tag (page.addScriptTag): the app's Content-Security-Policy allows only its own scripts, which is
 * what it should do, and DevTools' evaluation is not subject to it.
 */
async function seriousViolations(page: Page): Promise<Finding[]> {
  const source = await readFile(AXE_PATH, 'utf8')
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(source)
  return page.evaluate(async () => {
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    })
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        targets: v.nodes.slice(0, 5).map((n) => `${String(n.target)} ${n.failureSummary ?? ''}`),
      }))
  })
}

interface KeyboardWalk {
  /** Visible, enabled controls that Tab never reached. */
  unreached: string[]
  /** Controls that Tab reached without a visible focus ring (outline or box shadow). */
  ringless: string[]
}

/**
 * Tabs through the page from the top and reports the controls Tab never reached and those it reached without a
 * visible focus indicator. Of a group of native radio buttons only the checked one is in the Tab order (arrow
 * keys move within the group), as in every browser.
 */
async function walkWithTab(page: Page): Promise<KeyboardWalk> {
  const candidates = await page.evaluate(() => {
    const selector =
      'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])'
    const list = [...document.querySelectorAll<HTMLElement>(selector)].filter((el) => {
      if ((el as HTMLButtonElement).disabled || el.closest('[inert]')) return false
      if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) return false
      if (el instanceof HTMLInputElement && el.type === 'radio' && !el.checked) {
        const group = document.querySelectorAll<HTMLInputElement>(`input[type="radio"][name="${el.name}"]`)
        if ([...group].some((r) => r.checked)) return false
      }
      return true
    })
    return list.map((el, i) => {
      el.dataset.kb = String(i)
      const name = el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? ''
      return `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''} "${name}"`
    })
  })
  await page.evaluate(() => {
    ;(document.activeElement as HTMLElement | null)?.blur()
    window.scrollTo(0, 0)
  })
  const reached = new Set<number>()
  const ringless = new Set<string>()
  // Each control once, plus a few stops outside the list (the canvas, the document) before Tab wraps around.
  for (let i = 0; i < candidates.length + 8; i++) {
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null
      if (!el || el === document.body || el.dataset.kb === undefined) return null
      const style = getComputedStyle(el)
      const ring =
        (style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0) ||
        style.boxShadow !== 'none'
      return { index: Number(el.dataset.kb), ring, outline: `${style.outlineStyle} ${style.outlineWidth}` }
    })
    if (!focused) continue
    reached.add(focused.index)
    if (!focused.ring) ringless.add(`${candidates[focused.index] ?? '?'} (outline ${focused.outline})`)
  }
  return { unreached: candidates.filter((_, i) => !reached.has(i)), ringless: [...ringless] }
}

async function expectAccessible(page: Page, screen: string) {
  const found = await seriousViolations(page)
  expect.soft(found, `${screen}: ${JSON.stringify(found, null, 2)}`).toEqual([])
  const walk = await walkWithTab(page)
  expect.soft(walk, `${screen}: keyboard`).toEqual({ unreached: [], ringless: [] })
}

const suite = useAppSuite()
const { log } = suite
const people: Participant[] = []
let clinician: Participant
let invites: Record<string, string> = {}

afterAll(async () => {
  for (const person of people) await person.context.close()
})

describe('accessibility (axe-core: no serious or critical violations)', () => {
  it('the lobby, before and after starting a consultation', async () => {
    clinician = await newParticipant(suite.browser, log)
    people.push(clinician)
    await clinician.page.goto(`${suite.server.url}?debug`)
    await clinician.page.getByTestId('start').waitFor()
    await expectAccessible(clinician.page, 'lobby')
    await clinician.page.getByTestId('start').click()
    await clinician.page.getByTestId('invite-patient').waitFor()
    await expectAccessible(clinician.page, 'lobby with invite links')
  })

  it('the check-in', async () => {
    invites = {}
    for (const role of ['patient', 'clinician', 'specialist', 'worker']) {
      invites[role] = await clinician.page.getByTestId(`invite-${role}`).inputValue()
    }
    await clinician.page.getByTestId('own-role').selectOption('clinician')
    await clinician.page.getByTestId('continue').click()
    await clinician.page.getByTestId('checkin').waitFor()
    await expect.poll(() => clinician.page.getByTestId('check-camera').getAttribute('data-status')).toBe('ok')
    await expect
      .poll(() => clinician.page.getByTestId('check-server').getAttribute('data-status'))
      .not.toBe('checking')
    await clinician.page.getByTestId('play-tone').click()
    await clinician.page.getByTestId('heard-tone').waitFor()
    await expectAccessible(clinician.page, 'check-in')
  })

  it('the call as the clinician (vitals, an alarm, the limits editor) and as the patient', async () => {
    await joinAs(clinician.page, 'Dr. Access')
    const patient = await newParticipant(suite.browser, log, { width: 800, height: 600 })
    people.push(patient)
    await openInvite(patient, invites.patient ?? '', 'Pat Access', '?debug')
    await waitForPanels(clinician.page, 1, 60_000)
    await patient.page.getByTestId('vitals-source').selectOption('sim:desaturation')
    await clinician.page.locator('[data-testid="alarm"]').first().waitFor({ timeout: 120_000 })
    await clinician.page.getByRole('button', { name: 'Alarm limits' }).click()
    await clinician.page.getByTestId('limit-low').waitFor()
    await expectAccessible(clinician.page, 'call (clinician)')
    await expectAccessible(patient.page, 'call (patient)')
    // Four pages rendering in software on two cores slow everything down: the patient's part is checked.
    await patient.context.close()
  })

  it('the call as the specialist and as the worker', async () => {
    const specialist = await newParticipant(suite.browser, log, { width: 800, height: 600 })
    const worker = await newParticipant(suite.browser, log, { width: 800, height: 600 })
    people.push(specialist, worker)
    await openInvite(specialist, invites.specialist ?? '', 'Dr. Special', '?debug')
    await openInvite(worker, invites.worker ?? '', 'Wes Access', '?debug')
    // Everyone is listed as connected on both pages (whether the video has arrived yet does not matter here).
    for (const [page, other] of [
      [specialist.page, 'Wes Access'],
      [worker.page, 'Dr. Special'],
    ] as const) {
      await page.getByTestId('participants').getByText(other).waitFor({ timeout: 60_000 })
    }
    await expectAccessible(specialist.page, 'call (specialist)')
    await expectAccessible(worker.page, 'call (worker)')
  })

  it('after leaving, and the past calls', async () => {
    await clinician.page.getByTestId('leave').click()
    await clinician.page.getByTestId('past-calls-link').waitFor()
    await expectAccessible(clinician.page, 'left the call')
    await clinician.page.getByTestId('past-calls-link').click()
    await clinician.page.getByTestId('call-record').first().waitFor({ timeout: 30_000 })
    await expectAccessible(clinician.page, 'past calls')
  })
})
