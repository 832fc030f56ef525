import { describe, expect, it } from 'vitest'
import { applyAnnotationOps, createAnnotationState, materialize } from '../annotations/model'
import { ALICE, addOp, BOB, line, pinShape, strokeShape } from '../annotations/test-ops'
import {
  ANNOTATION_DOCUMENT_FORMAT,
  ANNOTATION_DOCUMENT_VERSION,
  ANNOTATION_FRAME,
  annotationDocumentJson,
  base64Utf8,
  toAnnotationDocument,
} from './annotation-document'
import type { RecordedAnnotation } from './record'
import { ExportSkips } from './skipped'
import { decodeBase64Utf8 } from './test-base64'

const T0 = Date.UTC(2026, 10, 26, 22, 47)

const [stroke, pin] = materialize(
  applyAnnotationOps(createAnnotationState(), [
    addOp(ALICE, 1, 1, strokeShape(line(0, 4))),
    addOp(BOB, 1, 2, pinShape('Ventil öffnen ⚠ 🔧')),
  ]),
)
if (!stroke || !pin) throw new Error('two annotations expected')
const recorded: RecordedAnnotation[] = [
  { ...stroke, seenAt: T0 + 1000 },
  { ...pin, seenAt: T0 + 2000, removedAt: T0 + 9000 },
]

describe('annotation document', () => {
  it('names its format, version and frame, and holds every annotation, removed ones included', () => {
    const document = toAnnotationDocument(recorded)
    expect(document).toEqual({
      format: ANNOTATION_DOCUMENT_FORMAT,
      version: ANNOTATION_DOCUMENT_VERSION,
      frame: ANNOTATION_FRAME,
      annotations: recorded,
    })
    expect([document.format, document.version, document.frame]).toEqual([
      'xr-consult-annotations',
      1,
      "on-site worker's XR reference space (local-floor), metres",
    ])
    expect(JSON.parse(annotationDocumentJson(recorded))).toEqual(document)
  })

  it('writes only the documented fields, and no removedAt for an annotation still shown', () => {
    const smuggled = { ...recorded[0], callId: 'a-call', secret: 'x' } as RecordedAnnotation
    const [written] = JSON.parse(annotationDocumentJson([smuggled])).annotations
    expect(Object.keys(written)).toEqual([
      'id',
      'author',
      'authorName',
      'colour',
      'createdAt',
      'clock',
      'seenAt',
      'approximate',
      'placement',
      'shape',
    ])
  })

  it('encodes UTF-8 as base64 (RFC 4648 vectors), across the slices it works in', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
      ['€', '4oKs'],
      ['🔧', '8J+Upw=='],
      ['Ventil öffnen ⚠', 'VmVudGlsIMO2ZmZuZW4g4pqg'],
    ]
    for (const [text, encoded] of vectors) expect(base64Utf8(text)).toBe(encoded)
    // A three-byte character across the first slice boundary (0x8000 bytes), and far more than one slice.
    const long = `${'x'.repeat(0x7fff)}€${'y'.repeat(40_000)}🔧`
    expect(decodeBase64Utf8(base64Utf8(long))).toBe(long)
  })

  it('leaves out an annotation no file can hold, names it in the document and to the caller', () => {
    const skipped = new ExportSkips()
    const bad: RecordedAnnotation[] = [
      { ...(recorded[0] as RecordedAnnotation), id: 'far', createdAt: 1e300 },
      { ...(recorded[1] as RecordedAnnotation), id: 'gone', removedAt: Number.NaN },
      {
        ...(recorded[1] as RecordedAnnotation),
        id: 'nan',
        placement: { frame: 'world', position: [0, Number.NaN, 0], orientation: [0, 0, 0, 1] },
      } as RecordedAnnotation,
    ]
    const document = toAnnotationDocument([...recorded, ...bad], skipped)
    expect(document.annotations.map((a) => a.id)).toEqual(recorded.map((a) => a.id))
    expect(document.skipped).toEqual([
      '2 annotations skipped: their times were invalid',
      '1 annotation skipped: a value was not a number',
    ])
    expect(skipped.sentences()).toEqual(document.skipped)
    // Nothing skipped: no `skipped` field at all.
    expect('skipped' in toAnnotationDocument(recorded)).toBe(false)
  })
})
