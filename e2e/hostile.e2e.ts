// Hostile participants end to end (issue 17): someone holding a real invite, driving a real page through its debug
// API as a modified client would (raw text on a link, ops signed with its own key, a role it was not given), against
// a victim's real page over the real server. Each case is refused or contained, the victim's page stays whole
// (controls, participant list, chat and notices there, no region showing an error, no page error), and the real
// participant's next message still arrives.
import type { Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import type { DebugCall, DebugGuidance } from '../src/call/runtime'
import { CHAT_KEPT } from '../src/state/call-store'
import {
  agreeToRecord,
  joinAs,
  newParticipant,
  openInvite,
  type Participant,
  startConsultation,
  useAppSuite,
} from './harness'
import { signChatFlood } from './real-app.mjs'

type TestWindow = Window & {
  __xrConsultCall: DebugCall
  __xrConsultGuidance: DebugGuidance
  __seen: { notices: string[]; participants: string[] }
  __lags: number[]
  __batches: string[]
}
declare const window: TestWindow

const suite = useAppSuite()
const { log } = suite
/** Pages whose pixels no test reads: small windows render faster in software. */
const SMALL_WINDOW = { width: 640, height: 360 }
let open: Participant[] = []

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') {
    for (const person of open) console.log(`--- ${person.page.url()}\n${person.trace.join('\n')}`)
  }
  for (const person of open) await person.context.close().catch(() => undefined)
  open = []
})

async function participant(): Promise<Participant> {
  const person = await newParticipant(suite.browser, log, SMALL_WINDOW)
  open.push(person)
  return person
}

const IN_NAME = (name: string) => `${name} sent messages in someone else’s name and was disconnected.`
const BREAKS_RULES = (name: string) =>
  `${name} sent messages no consultation app sends (a date far from now, a value out of bounds) and was disconnected.`
const FLOODED = (name: string) => `${name} sent more messages than a consultation needs and was disconnected.`
const CAME_BACK =
  'A participant who was disconnected earlier in this call tried to come back and was refused.'
const CLAIMED = 'Someone whose invite does not prove the role they claimed was turned away.'

/** The victim: the clinician who starts the consultation, with a probe that keeps every notice and list it shows. */
async function startAsVictim(role = 'clinician', name = 'Dr. Ada') {
  const victim = await participant()
  const invites = await startConsultation(victim.page, `${suite.server.url}?debug`, role)
  await joinAs(victim.page, name)
  // Notices go after 6 s: record each one as it appears, and every text the participant list ever showed.
  await victim.page.evaluate(() => {
    const seen = { notices: [] as string[], participants: [] as string[] }
    window.__seen = seen
    const notices = document.querySelector('[data-testid="notices"]') as Node
    new MutationObserver((records) => {
      for (const record of records)
        for (const node of record.addedNodes) seen.notices.push(node.textContent ?? '')
    }).observe(notices, { childList: true })
    const list = document.querySelector('[data-testid="participants"]') as Node
    new MutationObserver(() => seen.participants.push(list.textContent ?? '')).observe(list, {
      childList: true,
      subtree: true,
      characterData: true,
    })
  })
  return { victim, invites }
}

function seen(page: Page): Promise<{ notices: string[]; participants: string[] }> {
  return page.evaluate(() => window.__seen)
}

const count = (texts: string[], text: string) => texts.filter((t) => t === text).length

async function noticeSeen(page: Page, text: string, timeout = 30_000) {
  await expect.poll(async () => (await seen(page)).notices, { timeout }).toContain(text)
}

/** Names of the participants `page` lists as connected. */
function connectedNames(page: Page): Promise<string[]> {
  return page.locator('[data-testid="participant"][data-status="connected"] .name').allInnerTexts()
}

async function until(page: Page, name: string, present = true, timeout = 60_000) {
  await expect
    .poll(() => connectedNames(page), { timeout })
    .toSatisfy((names: string[]) => (present ? names.includes(name) : !names.includes(name)))
}

function session(page: Page): Promise<string> {
  return page.evaluate(() => window.__xrConsultCall.session())
}

function seat(page: Page): Promise<number> {
  return page.evaluate(() => window.__xrConsultCall.debugView().seat)
}

/** Waits until `from` has a working link to `to`'s seat; returns that seat. */
async function linkedTo(from: Page, to: Page): Promise<number> {
  const target = await seat(to)
  await expect
    .poll(() =>
      from.evaluate(
        (s) => window.__xrConsultCall.debugView().links.some((link) => link.seat === s && link.ready),
        target,
      ),
    )
    .toBe(true)
  return target
}

/**
 * Puts each of `messages` (JSON) on `from`'s link to `seat`, as it is, all in one go: the receiver may close the
 * link at the first, and the rest must already be on the wire by then.
 */
async function sendRaw(from: Page, seatIndex: number, ...messages: unknown[]) {
  const sent = await from.evaluate(
    ([s, texts]) => (texts as string[]).map((text) => window.__xrConsultCall.debugSendRaw(s as number, text)),
    [seatIndex, messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)))] as const,
  )
  expect(sent.every(Boolean)).toBe(true)
}

async function chatTexts(page: Page): Promise<string> {
  return (await page.getByTestId('chat-list').textContent()) ?? ''
}

/** The page is whole: its controls, list, chat and notices are there, no region failed, and nothing threw. */
async function expectWhole(person: Participant) {
  const { page } = person
  for (const id of ['leave', 'mute', 'camera', 'participants', 'notices', 'chat-list', 'chat-input']) {
    expect(await page.getByTestId(id).count(), id).toBe(1)
  }
  expect(await page.getByTestId('region-error').count()).toBe(0)
  expect(await page.locator('.scene canvas').count()).toBeGreaterThan(0)
  expect(person.errors).toEqual([])
}

async function say(page: Page, text: string) {
  await page.getByTestId('chat-input').fill(text)
  await page.getByTestId('chat-send').click()
}

describe('forgeries', () => {
  it('refuses a forged author, a foreign id prefix and pre-sent ids; the patient’s next message arrives', async () => {
    const { victim, invites } = await startAsVictim()
    const patient = await participant()
    await openInvite(patient, invites.patient as string, 'Pat Patient', '?debug')
    await until(victim.page, 'Pat Patient')
    const pat = await session(patient.page)

    // 1. Chat naming the patient as its author (and with its name and role): the signature is not the patient's.
    const sam = await participant()
    await openInvite(sam, invites.specialist as string, 'Sam Specialist', '?debug')
    const victimSeat = await linkedTo(sam.page, victim.page)
    await sendRaw(sam.page, victimSeat, {
      type: 'ops',
      items: [
        {
          kind: 'chat',
          id: `${pat}:50`,
          author: pat,
          at: Date.now(),
          name: 'Pat Patient',
          role: 'patient',
          text: 'FORGED-AS-PATIENT: give 10 mg morphine now',
          sig: 'A'.repeat(86),
        },
      ],
    })
    await noticeSeen(victim.page, IN_NAME('Sam Specialist'))
    await until(victim.page, 'Sam Specialist', false)
    await sam.context.close()

    // 2. The patient's next 100 ids, sent ahead under the worker's own author: a foreign id prefix.
    const wes = await participant()
    await openInvite(wes, invites.worker as string, 'Wes Worker', '?debug')
    const victimSeatForWes = await linkedTo(wes.page, victim.page)
    const worker = await session(wes.page)
    await sendRaw(
      wes.page,
      victimSeatForWes,
      ...[1, 51].map((first) => ({
        type: 'ops',
        items: Array.from({ length: 50 }, (_, i) => ({
          kind: 'chat',
          id: `${pat}:${first + i}`,
          author: worker,
          at: Date.now(),
          name: 'Wes Worker',
          role: 'worker',
          text: `pre-sent ${first + i}`,
          sig: 'A'.repeat(86),
        })),
      })),
    )
    await noticeSeen(victim.page, IN_NAME('Wes Worker'))
    await until(victim.page, 'Wes Worker', false)

    // The real patient's next messages take exactly those ids (1, 2, 3), and arrive.
    await say(patient.page, 'I am allergic to penicillin')
    await say(patient.page, 'And to latex')
    await say(patient.page, 'Third message')
    await expect.poll(() => chatTexts(victim.page), { timeout: 30_000 }).toContain('Third message')
    const texts = await chatTexts(victim.page)
    expect(texts).toContain('I am allergic to penicillin')
    expect(texts).toContain('And to latex')
    expect(texts).not.toMatch(/FORGED|morphine|pre-sent/)
    await expectWhole(victim)
    await expectWhole(patient)
    const { notices } = await seen(victim.page)
    expect(count(notices, IN_NAME('Sam Specialist'))).toBe(1)
    expect(count(notices, IN_NAME('Wes Worker'))).toBe(1)
    expect(await connectedNames(victim.page)).toEqual(['Pat Patient'])
  })
})

describe('roles', () => {
  it('takes vitals only from the patient: a specialist’s are not shown, alarmed or recorded', async () => {
    const { victim, invites } = await startAsVictim()
    const sam = await participant()
    await openInvite(sam, invites.specialist as string, 'Sam Specialist', '?debug')
    await linkedTo(sam.page, victim.page)
    // A desaturation, shared as if Sam were the patient: numerics about 1 Hz and the ECG as frames.
    await sam.page.evaluate(() => window.__xrConsultCall.runtime.sharing.shareSimulated('desaturation'))
    // They do arrive (the victim counts them), and are dropped.
    await expect
      .poll(() => victim.page.evaluate(() => window.__xrConsultCall.debugView().received.vitals ?? 0), {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(5)
    await expect
      .poll(() => victim.page.evaluate(() => window.__xrConsultCall.debugView().received.frame ?? 0))
      .toBeGreaterThan(0)
    expect(await victim.page.evaluate(() => window.__xrConsultCall.vitals.peers())).toEqual([])
    expect(await victim.page.locator('[data-testid="vitals-table"]:not([hidden])').count()).toBe(0)
    expect(await victim.page.getByTestId('alarm').count()).toBe(0)
    await expectWhole(victim)

    // Nothing recorded: the call is in the past calls without a reading, without ECG, without a patient name.
    await sam.page.evaluate(() => window.__xrConsultCall.runtime.sharing.stop())
    await victim.page.getByTestId('leave').click()
    await victim.page.goto(suite.server.url)
    const entry = victim.page.getByTestId('call-record').first()
    await entry.waitFor({ timeout: 15_000 })
    const text = (await entry.textContent()) ?? ''
    expect(text).toContain('0 readings')
    expect(text).not.toMatch(/ECG|Sam/)
  })

  it('refuses a role the invite does not prove, says so once, and never lists it', async () => {
    const { victim, invites } = await startAsVictim()
    // The specialist's invite claiming to be the clinician, under the victim's colleague's name.
    const mallory = await participant()
    await openInvite(mallory, invites.specialist as string, 'Dr. Victim', '?debug&test-role=clinician')
    await noticeSeen(victim.page, CLAIMED)
    // Its page takes the refusal as a lost link and dials again: each dial is closed unheard. Let three go by
    // (its `?debug` connection log says when a link of its own dropped).
    await expect
      .poll(() => mallory.trace.filter((line) => / drop /.test(line)).length, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(3)
    const { notices, participants } = await seen(victim.page)
    expect(count(notices, CLAIMED)).toBe(1)
    expect(participants.join('\n')).not.toContain('Dr. Victim')
    expect(await victim.page.getByTestId('participant').count()).toBe(0)
    await expectWhole(victim)
  })
})

describe('values within human bounds', () => {
  it('a chat and vitals dated 1e300 leave the page whole; exports succeed and name a bad item', async () => {
    const { victim, invites } = await startAsVictim()
    const patient = await participant()
    await openInvite(patient, invites.patient as string, 'Pat Patient', '?debug')
    // The victim's record of the call (read at the end) starts once the patient agrees.
    await agreeToRecord(patient.page, victim.page)
    const sam = await participant()
    await openInvite(sam, invites.specialist as string, 'Sam Specialist', '?debug')
    const victimSeat = await linkedTo(sam.page, victim.page)

    // A chat of Sam's own, honestly signed, dated 1e300 (Intl.DateTimeFormat throws on it).
    await sam.page.evaluate(async (s) => {
      const call = window.__xrConsultCall
      const op = await call.debugSign({
        kind: 'chat',
        id: call.nextOpId(),
        author: call.session(),
        at: 1e300,
        name: 'Sam Specialist',
        role: 'specialist',
        text: 'from the far future',
      })
      call.debugSendRaw(s, JSON.stringify({ type: 'ops', items: [op] }))
    }, victimSeat)
    await noticeSeen(victim.page, BREAKS_RULES('Sam Specialist'))
    expect(await chatTexts(victim.page)).not.toContain('far future')

    // The patient's vitals: one reading dated 1e300, then real ones.
    const patientSeat = await linkedTo(patient.page, victim.page)
    await sendRaw(patient.page, patientSeat, {
      type: 'vitals',
      items: [
        {
          kind: 'heart-rate',
          value: 38,
          at: 1e300,
          source: { kind: 'device', label: 'Cuff' },
          quality: 'ok',
        },
      ],
    })
    await patient.page.getByTestId('vitals-source').selectOption('sim:normal')
    const patientPeer = await victim.page
      .locator('[data-testid="participant"]', { hasText: 'Pat Patient' })
      .getAttribute('data-peer')
    await expect
      .poll(
        () =>
          victim.page
            .locator(
              `[data-testid="vitals-table"][data-peer="${patientPeer}"] [data-testid="vital-heart-rate"] [data-role="value"]`,
            )
            .textContent(),
        { timeout: 30_000 },
      )
      .toMatch(/^\d{2,3}$/)
    const latest = await victim.page.evaluate(
      (peer) => window.__xrConsultCall.vitals.get(peer as string)?.tracks['heart-rate'].latest?.at ?? 0,
      patientPeer,
    )
    expect(Math.abs(latest - Date.now())).toBeLessThan(60_000)
    await expectWhole(victim)
    await say(patient.page, 'Still here')
    await expect.poll(() => chatTexts(victim.page)).toContain('Still here')

    // The record: what the call recorded exports; a reading no date holds (a record from before dates were
    // checked, written straight into the database here) is skipped and named, and the export still succeeds.
    await victim.page.getByTestId('leave').click()
    await victim.page.goto(suite.server.url)
    const entry = victim.page.getByTestId('call-record').first()
    await entry.waitFor({ timeout: 15_000 })
    await victim.page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.open('xr-consult-record')
          request.onerror = () => reject(request.error)
          request.onsuccess = () => {
            const db = request.result
            const tx = db.transaction(['calls', 'observations'], 'readwrite')
            const calls = tx.objectStore('calls').getAll()
            calls.onsuccess = () => {
              const newest = (calls.result as { id: string; startedAt: number }[]).sort(
                (a, b) => b.startedAt - a.startedAt,
              )[0]
              tx.objectStore('observations').add({
                callId: newest?.id,
                kind: 'heart-rate',
                at: 1e300,
                values: [38],
                unit: '/min',
                source: { kind: 'device', label: 'Old record' },
                quality: 'ok',
                key: 'heart-rate|1e300|device|Old record',
              })
            }
            tx.oncomplete = () => {
              db.close()
              resolve()
            }
            tx.onerror = () => reject(tx.error)
          }
        }),
    )
    const [fhir] = await Promise.all([
      victim.page.waitForEvent('download'),
      entry.getByTestId('call-record-fhir').click(),
    ])
    const bundle = JSON.parse(await readDownload(fhir))
    const resources = bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource)
    expect(
      resources.filter((r: { resourceType: string }) => r.resourceType === 'Observation').length,
    ).toBeGreaterThan(0)
    expect(
      JSON.stringify(resources.find((r: { resourceType: string }) => r.resourceType === 'OperationOutcome')),
    ).toContain('1 reading skipped: its time was invalid')
    await expect(victim.page.getByTestId('export-note').textContent()).resolves.toContain(
      '1 reading skipped: its time was invalid',
    )
    const [csv] = await Promise.all([
      victim.page.waitForEvent('download'),
      entry.getByTestId('call-record-csv').click(),
    ])
    const lines = (await readDownload(csv)).trim().split('\r\n')
    expect(lines.length).toBeGreaterThan(1)
    expect(lines.join('\n')).not.toContain('Old record')
    expect(victim.errors).toEqual([])
  })

  it('a mark with clock 2^40 is refused, and Clear all still clears', async () => {
    const { victim, invites } = await startAsVictim('specialist', 'Sam Specialist')
    const hostile = await participant()
    await openInvite(hostile, invites.worker as string, 'Wes Worker', '?debug')
    const victimSeat = await linkedTo(hostile.page, victim.page)
    const pin = (page: Page) =>
      page.evaluate(() => {
        const { actions } = window.__xrConsultGuidance
        actions.setTool('pin')
        actions.pointerDown({ point: [0, 1, -1], normal: [0, 0, 1], approximate: false })
        actions.pointerUp()
      })
    const marks = () => victim.page.evaluate(() => window.__xrConsultGuidance.annotations().length)
    await pin(victim.page)
    await expect.poll(marks).toBe(1)

    // A pin with the highest clock the schema allows: it would outrank every clear for the rest of the call.
    await hostile.page.evaluate(async (s) => {
      const call = window.__xrConsultCall
      const op = await call.debugSign({
        kind: 'annotation-add',
        id: call.nextOpId(),
        author: call.session(),
        at: Date.now(),
        clock: 2 ** 40,
        authorName: 'Wes Worker',
        colour: 'orange',
        placement: { frame: 'world', position: [0, 1, -1], orientation: [0, 0, 0, 1] },
        shape: { type: 'pin', position: [0, 0, 0], label: 'jammed' },
      })
      call.debugSendRaw(s, JSON.stringify({ type: 'ops', items: [op] }))
    }, victimSeat)
    await noticeSeen(victim.page, BREAKS_RULES('Wes Worker'))
    expect(await marks()).toBe(1)

    // Clear all clears, and a later mark can be cleared again.
    const clearAll = async () => {
      await victim.page.getByRole('button', { name: 'Clear all' }).click()
      await victim.page.getByRole('button', { name: /Clear everyone.s marks/ }).click()
    }
    await clearAll()
    await expect.poll(marks).toBe(0)
    await pin(victim.page)
    await expect.poll(marks).toBe(1)
    await clearAll()
    await expect.poll(marks).toBe(0)
    await expectWhole(victim)
  })
})

describe('error boundaries', () => {
  it('an item that cannot be drawn is one sentence in its region, and the rest of the page goes on', async () => {
    const { victim, invites } = await startAsVictim()
    const patient = await participant()
    await openInvite(patient, invites.patient as string, 'Pat Patient', '?debug')
    await until(victim.page, 'Pat Patient')
    // Nothing on the wire can make these any more (the schemas and the mesh refuse them): they stand for the
    // next bug. Written straight into the call's store: a chat message whose text is an object, and a
    // participant whose name is one.
    await victim.page.evaluate(() => {
      const store = window.__xrConsultGuidance.consultStore.getState()
      store.addChatMessage({
        id: 'broken:1',
        author: 'broken',
        name: 'Broken',
        role: 'patient',
        at: Date.now(),
        text: { not: 'text' } as unknown as string,
        mine: false,
      })
      store.upsertParticipant('broken-peer', { seat: 3, name: { not: 'a name' } as unknown as string })
    })
    await victim.page.getByTestId('chat-message-unshowable').waitFor()
    // Each region that draws the broken participant says so in its place (the list, and their vitals table).
    await victim.page.getByTestId('region-error').first().waitFor()
    const failed = await victim.page.getByTestId('region-error').allTextContents()
    expect(failed.some((text) => text.startsWith('The participant list could not be shown'))).toBe(true)
    for (const text of failed) expect(text).toMatch(/could not be shown: something in it was not valid\./)
    // The chat still works both ways around the broken message, and so do the controls.
    await say(patient.page, 'Can you hear me?')
    await expect.poll(() => chatTexts(victim.page)).toContain('Can you hear me?')
    await say(victim.page, 'Yes')
    await expect.poll(() => chatTexts(patient.page)).toContain('Yes')
    for (const id of ['leave', 'mute', 'camera', 'notices', 'chat-input']) {
      expect(await victim.page.getByTestId(id).count(), id).toBe(1)
    }
    expect(await victim.page.locator('.scene canvas').count()).toBeGreaterThan(0)
  })
})

describe('floods', () => {
  it('an in-limit flood of large chats leaves the victim responsive and its chat bounded', async () => {
    const started = Date.now()
    const { victim, invites } = await startAsVictim()
    const patient = await participant()
    await openInvite(patient, invites.patient as string, 'Pat Patient', '?debug')
    const sam = await participant()
    await openInvite(sam, invites.specialist as string, 'Sam Specialist', '?debug')
    const victimSeat = await linkedTo(sam.page, victim.page)
    await until(victim.page, 'Pat Patient')
    console.log(`three in the call after ${Date.now() - started} ms`)

    // Issue 17's flood: 15 ops messages a second of 50 chats of 1.9 KB each (about 1.4 MB/s), every one signed by
    // Sam's own key and within every message limit, for FLOOD_S seconds. Signed first (that keeps Sam's page busy
    // for a few seconds, which is not the victim's cost), then sent on a timer.
    const FLOOD_S = 30
    const MESSAGES_PER_S = 15
    const signing = Date.now()
    await signChatFlood(sam.page, FLOOD_S * MESSAGES_PER_S, { name: 'Sam Specialist', role: 'specialist' })
    console.log(`flood signed in ${Date.now() - signing} ms`)

    // The victim's main thread, sampled every 50 ms: how late each tick came. First a quiet baseline of the same
    // pages in the same run (three pages rendering in software on two cores are never idle), then the flood.
    await victim.page.evaluate(() => {
      const lags: number[] = []
      window.__lags = lags
      let last = performance.now()
      const tick = () => {
        const now = performance.now()
        lags.push(Math.max(0, now - last - 50))
        last = now
        setTimeout(tick, 50)
      }
      setTimeout(tick, 50)
    })
    const BASELINE_MS = 5000
    await victim.page.waitForTimeout(BASELINE_MS)
    const baseline = await victim.page.evaluate(() => window.__lags.splice(0).sort((a, b) => a - b))
    const flood = sam.page.evaluate(
      ([s, perSecond]) =>
        new Promise<void>((resolve) => {
          const call = window.__xrConsultCall
          const timer = setInterval(() => {
            const next = window.__batches.shift()
            if (next === undefined) {
              clearInterval(timer)
              resolve()
            } else call.debugSendRaw(s, next)
          }, 1000 / perSecond)
        }),
      [victimSeat, MESSAGES_PER_S] as const,
    )
    // Meanwhile, the victim answers: each round trip of an evaluate, and the chat rows it holds.
    const answers: number[] = []
    let done = false
    void flood.finally(() => {
      done = true
    })
    while (!done) {
      const started = Date.now()
      const rows = await victim.page.evaluate(
        () => document.querySelectorAll('[data-testid="chat-message"]').length,
      )
      answers.push(Date.now() - started)
      expect(rows).toBeLessThanOrEqual(CHAT_KEPT)
      await victim.page.waitForTimeout(500)
    }
    await flood
    console.log(`flood sent after ${Date.now() - started} ms`)

    const rows = await victim.page.locator('[data-testid="chat-message"]').count()
    const lags = await victim.page.evaluate(() => [...window.__lags].sort((a, b) => a - b))
    const p95 = lags[Math.floor(lags.length * 0.95)] ?? 0
    const worstAnswer = Math.max(...answers)
    const baseP95 = baseline[Math.floor(baseline.length * 0.95)] ?? 0
    console.log(
      `flood of ${FLOOD_S} s: victim shows ${rows} rows; main-thread lag p95 ${p95.toFixed(0)} ms, max ${(lags.at(-1) ?? 0).toFixed(0)} ms over ${lags.length} ticks (quiet baseline before it: p95 ${baseP95.toFixed(0)} ms, max ${(baseline.at(-1) ?? 0).toFixed(0)} ms); slowest evaluate ${worstAnswer} ms`,
    )
    // What got through is Sam's budget (src/net/op-gate.ts AUTHOR_BYTES: 512 KiB at once, then 16 KiB/s, a few
    // hundred of these over the flood however slow the page), not the flood's 22,500; of that the chat shows at
    // most the newest CHAT_KEPT, older ones counted in one line. The page answered every probe throughout: not
    // frozen (a smoke bound, far above any healthy answer; how responsive it stays is `npm run bench`'s).
    const earlierLine = victim.page.getByTestId('chat-earlier')
    const earlier =
      (await earlierLine.count()) > 0 ? Number((await earlierLine.textContent())?.replace(/\D/g, '')) : 0
    const received = rows + earlier
    expect(rows).toBeLessThanOrEqual(CHAT_KEPT)
    expect(received).toBeGreaterThan(0)
    expect(received).toBeLessThan((FLOOD_S * MESSAGES_PER_S * 50) / 10)
    expect(answers.length).toBeGreaterThan(0)
    expect(worstAnswer).toBeLessThan(15_000)
    // Within the limits is not abuse: Sam is still in the call; and the patient is heard at once.
    expect(await connectedNames(victim.page)).toContain('Sam Specialist')
    await say(patient.page, 'After the flood')
    await expect.poll(() => chatTexts(victim.page), { timeout: 15_000 }).toContain('After the flood')
    await expectWhole(victim)
    // Three joins and 22,500 signatures before the 30 s flood: setup that takes what the machine takes (2–3 min
    // on a loaded two-core CI machine). Nothing here is timed by this limit; it only ends a test that hangs.
  }, 420_000)

  it('a flooder is refused when it comes back, with the same session or a new one, and the room hears it once', async () => {
    const { victim, invites } = await startAsVictim()
    const patient = await participant()
    await openInvite(patient, invites.patient as string, 'Pat Patient', '?debug')
    const sam = await participant()
    await openInvite(sam, invites.specialist as string, 'Sam Specialist', '?debug')
    const victimSeat = await linkedTo(sam.page, victim.page)
    await until(victim.page, 'Pat Patient')

    // Garbage: ignored, and 50 ignored messages within 10 s drop the sender.
    await sam.page.evaluate((s) => {
      for (let i = 0; i < 80; i++) window.__xrConsultCall.debugSendRaw(s, 'not a message')
    }, victimSeat)
    await noticeSeen(victim.page, FLOODED('Sam Specialist'))
    await until(victim.page, 'Sam Specialist', false)
    // Sam's page takes it as a lost connection and dials again with the same session: refused unheard, said once.
    await noticeSeen(victim.page, CAME_BACK)

    // Sam reloads (a new session, the same invite): its proof (which names its invite) is heard, and refused.
    const proofs = () => victim.page.evaluate(() => window.__xrConsultCall.debugView().received.proof ?? 0)
    const before = await proofs()
    await sam.page.reload()
    await joinAs(sam.page, 'Sam Again')
    await expect.poll(proofs, { timeout: 60_000 }).toBeGreaterThan(before)
    // The victim refused it; the patient, who saw no flood, takes it as ever: a ban is each participant's own.
    await expect.poll(() => connectedNames(sam.page), { timeout: 60_000 }).toEqual(['Pat Patient'])

    const { notices, participants } = await seen(victim.page)
    expect(count(notices, FLOODED('Sam Specialist'))).toBe(1)
    expect(count(notices, CAME_BACK)).toBe(1)
    expect(participants.join('\n')).not.toContain('Sam Again')
    expect(await connectedNames(victim.page)).toEqual(['Pat Patient'])
    await say(patient.page, 'Is he gone?')
    await expect.poll(() => chatTexts(victim.page)).toContain('Is he gone?')
    await expectWhole(victim)
  })
})

async function readDownload(download: import('playwright-core').Download): Promise<string> {
  const stream = await download.createReadStream()
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
}
