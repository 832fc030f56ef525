// Issue 17's number: what signing and checking every op costs. The app signs each op it authors (src/net/
// authorship.ts: canonical JSON of the op, ECDSA P-256 over it) and every receiver checks each op it applies,
// relayed or not (id prefix, known member, signature). Measured here on the app's own code, loaded through Vite
// (so the TypeScript that ships is what runs), against a same-run baseline: WebCrypto's bare ECDSA P-256 sign and
// verify of the same bytes with the same key, which no implementation of the scheme can go under. Node's WebCrypto
// and Chromium's are both BoringSSL/OpenSSL P-256; the ratio, not the microseconds, is what carries to a headset.
// Writes bench/signing-results.md, which BENCHMARKS.md links.
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createServer } from 'vite'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** Ops per measured batch, and batches (alternating app and baseline, so load changes hit both alike). */
const BATCH = 200
const ROUNDS = 9
const SIGN = { name: 'ECDSA', hash: 'SHA-256' }

/** @param {number[]} xs @returns {number} */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

/** µs per op of `run(i)` over one batch. @param {(i: number) => Promise<unknown>} run */
async function perOp(run) {
  const start = performance.now()
  for (let i = 0; i < BATCH; i++) await run(i)
  return ((performance.now() - start) * 1000) / BATCH
}

async function main() {
  const vite = await createServer({
    root,
    configFile: false,
    logLevel: 'error',
    server: { middlewareMode: true, hmr: false },
    appType: 'custom',
  })
  try {
    const authorship = await vite.ssrLoadModule('/src/net/authorship.ts')
    const credentials = await vite.ssrLoadModule('/src/room/credentials.ts')
    const { invites, room } = await credentials.createConsultation()
    // A receiver that knows the author: the patient's member op, checked once as at admission.
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])
    const key = await credentials.createSessionKey()
    const presented = await credentials.presentCredential(invites.patient, key.publicKey)
    const member = await authorship.signOp(
      key,
      authorship.memberOpFor(key, 'Pat Patient', 'patient', presented, Date.now()),
    )
    const receiver = new authorship.Authorship({ roomId: room.roomId, roomKey: invites.patient.roomKey })
    const admitted = await receiver.check(member)
    if (admitted !== null) throw new Error(`bench: the receiver refused the member op (${admitted})`)

    // A typical chat op (a sentence), the op kind a person sends most.
    /** @param {number} i */
    const chat = (i) => ({
      kind: 'chat',
      id: `${key.session}:${i + 1}`,
      author: key.session,
      at: Date.now(),
      name: 'Pat Patient',
      role: 'patient',
      text: `I took the tablets at eight, as we said; the pain is about ${i % 10} out of ten now.`,
    })
    /** @type {Array<{ id: string, sig: string }>} */
    const signedOps = []
    for (let i = 0; i < BATCH; i++) signedOps.push(await authorship.signOp(key, chat(i)))
    const rawBytes = signedOps.map((op) =>
      new TextEncoder().encode(`xr-consult/op/v1|${authorship.canonicalJson({ ...op, sig: undefined })}`),
    )
    /** @type {ArrayBuffer[]} */
    const rawSigs = []
    for (const bytes of rawBytes) rawSigs.push(await crypto.subtle.sign(SIGN, pair.privateKey, bytes))
    for (const op of signedOps) {
      const refused = await receiver.check(op)
      if (refused !== null) throw new Error(`bench: an honest op was refused (${refused})`)
    }

    /** @type {Record<'sign' | 'rawSign' | 'check' | 'rawVerify', number[]>} */
    const samples = { sign: [], rawSign: [], check: [], rawVerify: [] }
    /** @param {number} i */
    const raw = (i) => /** @type {Uint8Array<ArrayBuffer>} */ (rawBytes[i])
    /** @param {number} i */
    const rawSig = (i) => /** @type {ArrayBuffer} */ (rawSigs[i])
    /** @param {number} i */
    const signed = (i) => signedOps[i]
    for (let round = 0; round < ROUNDS; round++) {
      samples.sign.push(await perOp((i) => authorship.signOp(key, chat(i))))
      samples.rawSign.push(await perOp((i) => crypto.subtle.sign(SIGN, pair.privateKey, raw(i))))
      samples.check.push(await perOp((i) => receiver.check(signed(i))))
      samples.rawVerify.push(
        await perOp((i) => crypto.subtle.verify(SIGN, pair.publicKey, rawSig(i), raw(i))),
      )
    }
    const m = {
      sign: median(samples.sign),
      rawSign: median(samples.rawSign),
      check: median(samples.check),
      rawVerify: median(samples.rawVerify),
    }
    /** @param {number} us */
    const fmt = (us) => `${us.toFixed(0)} µs`
    /** @type {Array<[string, number, string, number]>} */
    const rows = [
      [
        'Sign one chat op (app: canonical JSON + ECDSA P-256)',
        m.sign,
        'bare ECDSA sign, same bytes',
        m.rawSign,
      ],
      ['Check one relayed chat op (app: id, member, signature)', m.check, 'bare ECDSA verify', m.rawVerify],
    ]
    const table = [
      '| Measurement | App, median of 9 batches of 200 | Baseline (same run) | Ratio |',
      '|---|---|---|---|',
      ...rows.map(
        ([what, app, base, b]) => `| ${what} | ${fmt(app)} | ${base}: ${fmt(b)} | ${(app / b).toFixed(2)}× |`,
      ),
    ].join('\n')
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
    const markdown = `# Signing and checking ops (issue 17)

Written by \`node bench/signing.mjs\` (part of \`npm run bench\`).

- Date: ${new Date().toUTCString()}
- Machine: ${cpu}, ${os.cpus().length} cores; Node ${process.version} (WebCrypto)
- Load average (1 min) at the end: ${(os.loadavg()[0] ?? Number.NaN).toFixed(2)}

${table}

Per-sample µs (sign / bare sign / check / bare verify): ${[
      samples.sign,
      samples.rawSign,
      samples.check,
      samples.rawVerify,
    ]
      .map((values) => values.map((v) => v.toFixed(0)).join(', '))
      .join(' / ')}.

What it means for a call: a participant signs only the ops it authors (its member record, a chat line, a mark,
an admission or a dismissal); vitals samples, waveforms and poses are not ops: they are taken only from the link
whose admission proved the sender's session and role, and are not signed one by one. Each op is checked once by each receiver, whether it comes from
its author or is relayed to a newcomer. At a few hundred µs an op, a newcomer replaying a 5,000-op history spends
${((m.check * 5000) / 1e6).toFixed(1)} s of CPU on signatures, spread over the replay. The protocol round trip
(BENCHMARKS.md, issue 3) is measured with pings, which are not ops, so it does not include this cost.
`
    writeFileSync(path.join(root, 'bench', 'signing-results.md'), markdown)
    console.log(table)
    console.log('\nwrote bench/signing-results.md')
  } finally {
    await vite.close()
  }
}

await main()
