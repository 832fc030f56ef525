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
  ps.forEach((p, i) =>
    p.page.on('console', (m) => {
      if (m.text().includes('[call]')) console.log(i, m.text())
    }),
  )
  const inv = await startConsultation(ps[0]!.page, 'http://localhost:8090/?debug')
  await joinAs(ps[0]!.page, 'P0')
  await openInvite(ps[1]!, inv.patient!, 'P1', '?debug')
  await openInvite(ps[2]!, inv.specialist!, 'P2', '?debug')
  await openInvite(ps[3]!, inv.worker!, 'P3', '?debug')
  for (const p of ps) {
    try {
      await waitForPanels(p.page, 3, 30000)
      console.log('ok')
    } catch (e) {
      console.log(String(e).slice(0, 1500))
    }
  }
  await browser.close()
})
