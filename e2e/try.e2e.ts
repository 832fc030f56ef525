import { test } from 'vitest'
import {
  joinAs,
  launchChromium,
  newParticipant,
  openInvite,
  RequestLog,
  startConsultation,
  waitForPanels,
} from './harness'

test('try', async () => {
  const browser = await launchChromium()
  const log = new RequestLog()
  const ps = [] as Awaited<ReturnType<typeof newParticipant>>[]
  for (let i = 0; i < 4; i++) ps.push(await newParticipant(browser, log))
  for (const [i, p] of ps.entries())
    p.page.on('console', (m) => {
      if (m.type() !== 'log' && !m.text().includes('glyph') && !m.text().includes('GL Driver'))
        console.log(i, m.text().slice(0, 300))
    })
  const p = (i: number) => ps[i] as (typeof ps)[number]
  const inv = await startConsultation(p(0).page, 'http://localhost:8090/?debug')
  await joinAs(p(0).page, 'P0')
  await openInvite(p(1), inv.patient as string, 'P1', '?debug')
  await openInvite(p(2), inv.specialist as string, 'P2', '?debug')
  await openInvite(p(3), inv.worker as string, 'P3', '?debug')
  for (const x of ps) await waitForPanels(x.page, 3, 60000)
  console.log('clicking leave', performance.now())
  await p(3)
    .page.getByTestId('leave')
    .click({ timeout: 60000 })
    .catch((e) => console.log(String(e).slice(0, 3000)))
  console.log('clicked', performance.now())
  await browser.close()
})
