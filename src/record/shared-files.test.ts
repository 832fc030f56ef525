// Keeping a shared file itself in the call record (the clinician's choice), and what the FHIR export then carries:
// the file as the DocumentReference's attachment data, with its SHA-1 as FHIR's Attachment.hash; otherwise only
// what it was. In a file of its own beside record.test.ts and fhir.test.ts.
import 'fake-indexeddb/auto'
import { createHash } from 'node:crypto'
import type { DocumentReference } from '@medplum/fhirtypes'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'
import { type FhirBundle, toFhirBundle } from './fhir'
import { openRecord, type SharedRecord, type VitalsRecord } from './record'
import { VALIDATION_TIMEOUT_MS, validateFhirBundle } from './test-fhir-validator'

const T0 = Date.UTC(2026, 11, 6, 7, 0, 0)
const bytes = new TextEncoder().encode('%PDF-1.4 a small report, kept with the call\n%%EOF\n')
const sha256 = createHash('sha256').update(bytes).digest('hex')
const shared: SharedRecord = {
  name: 'report.pdf',
  mime: 'application/pdf',
  size: bytes.length,
  sha256,
  sharedBy: 'Dr Grace Hopper',
  sharedAt: T0,
}
const call = { patientName: 'Ada Patient', clinicianName: 'Dr Grace Hopper' }

let open: VitalsRecord[] = []
function fresh() {
  const record = openRecord(new IDBFactory(), { flushIntervalMs: 60_000 })
  open.push(record)
  return record
}
afterEach(async () => {
  await Promise.all(open.map((record) => record.close()))
  open = []
})

const attachmentOf = (bundle: FhirBundle) =>
  (
    bundle.entry?.map((e) => e.resource).find((r) => r?.resourceType === 'DocumentReference') as
      | DocumentReference
      | undefined
  )?.content[0]?.attachment

describe('a shared file kept in the record', () => {
  it('is kept with its entry when the clinician chooses, and forgotten again when they change their mind', async () => {
    const record = fresh()
    const callId = await record.startCall({ roomId: 'room', startedAt: T0, clinicianName: 'Dr Grace Hopper' })
    await record.addSharedItem(callId, shared)
    await record.keepSharedFile(callId, sha256, new Blob([bytes], { type: 'application/pdf' }))
    const [kept] = (await record.listCalls())[0]?.sharedItems ?? []
    expect(kept).toMatchObject({ name: 'report.pdf', sha256 })
    if (!kept?.file) throw new Error('the file was not kept')
    expect(new Uint8Array(await kept.file.arrayBuffer())).toEqual(bytes)

    await record.keepSharedFile(callId, sha256, null)
    const [forgotten] = (await record.listCalls())[0]?.sharedItems ?? []
    expect(forgotten).toEqual(shared)
  })

  it(
    'goes into the FHIR export as the attachment’s data, with its SHA-1 as Attachment.hash, and validates',
    async () => {
      const file = new Blob([bytes], { type: 'application/pdf' })
      const bundle = await toFhirBundle({ ...call, sharedItems: [{ ...shared, file }] }, [], [], [], {
        exportedAt: T0 + 60_000,
      })
      const attachment = attachmentOf(bundle)
      expect(attachment).toMatchObject({
        contentType: 'application/pdf',
        title: 'report.pdf',
        size: bytes.length,
      })
      expect(Buffer.from(attachment?.data ?? '', 'base64')).toEqual(Buffer.from(bytes))
      expect(attachment?.hash).toBe(createHash('sha1').update(bytes).digest('base64'))
      const report = await validateFhirBundle(bundle)
      expect(report.errors).toEqual([])
    },
    VALIDATION_TIMEOUT_MS,
  )

  it('is only described when not kept, or when what is kept is not the file that was shared', async () => {
    for (const file of [undefined, new Blob([bytes.subarray(1)])]) {
      const bundle = await toFhirBundle(
        { ...call, sharedItems: [{ ...shared, ...(file ? { file } : {}) }] },
        [],
        [],
        [],
      )
      const attachment = attachmentOf(bundle)
      expect(attachment?.title).toBe('report.pdf')
      expect(attachment?.data).toBeUndefined()
      expect(attachment?.hash).toBeUndefined()
    }
  })

  it('survives a file too large for one string operation (base64 in pieces)', async () => {
    const large = new Uint8Array(200_001).map((_, i) => (i * 7919) % 256)
    const file = new Blob([large])
    const hash = createHash('sha256').update(large).digest('hex')
    const bundle = await toFhirBundle(
      { ...call, sharedItems: [{ ...shared, size: large.length, sha256: hash, file }] },
      [],
      [],
      [],
    )
    expect(Buffer.from(attachmentOf(bundle)?.data ?? '', 'base64')).toEqual(Buffer.from(large))
  })
})
