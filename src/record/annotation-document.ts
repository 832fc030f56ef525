// A recorded call's remote-guidance annotations as one JSON document: the file "Export annotations (JSON)" saves,
// and, base64-encoded, the attachment of the FHIR export's DocumentReference (fhir.ts). Pure.
//
// A format of our own, named and versioned in the document: no standard describes marks placed in a WebXR
// session's reference space (FHIR has no resource for them; glTF would draw them but drop who made them and when).
// Each annotation is the record's own fields, removed ones included with `removedAt`:
// - positions in metres, rotations as unit quaternions [x, y, z, w], in the placement's frame: `world` is the
//   space `frame` names; `anchor` and `plane` placements are relative to that anchor or detected plane, whose own
//   pose in the worker's space is not part of the record; `item` placements are marks on a shared file (its share
//   id and 0-based page or frame): on a page, fractions of its width and height from its top left; on a model, the
//   model file's own frame and units;
// - shape coordinates in the annotation's own space (its placement maps them into the frame);
// - times in ms since the Unix epoch: `createdAt` by the author's clock, `seenAt` and `removedAt` by the recording
//   device's (clocks differ between devices).
// The coordinates only mean something relative to each other and to that session's floor, not to a room a reader
// could find again.

import { bytesToBase64 } from '../lib/base64'
import type { RecordedAnnotation } from './record'
import { allFinite, ExportSkips, exportable, isExportableTime, type SkipReason } from './skipped'

export const ANNOTATION_DOCUMENT_FORMAT = 'xr-consult-annotations'
/** Bumped when a field changes meaning or goes away; a reader checks it before trusting the rest. */
export const ANNOTATION_DOCUMENT_VERSION = 1
/**
 * The space @react-three/xr draws in as src/xr/xr-store.ts configures it (not `bounded`): `local-floor`, origin on
 * the floor where the worker's session started, y up.
 */
export const ANNOTATION_FRAME = "on-site worker's XR reference space (local-floor), metres"

export interface AnnotationDocument {
  format: typeof ANNOTATION_DOCUMENT_FORMAT
  version: typeof ANNOTATION_DOCUMENT_VERSION
  frame: typeof ANNOTATION_FRAME
  /** In drawing order (clock, then id), removed ones included. */
  annotations: RecordedAnnotation[]
  /**
   * What was left out because no file can carry it, e.g. "1 annotation skipped: its time was invalid"; absent
   * when nothing was. (A field a reader may ignore, so the version stays.)
   */
  skipped?: string[]
}

/** Why an annotation cannot go into a file, or null when it can: its times must be dates, its numbers numbers. */
export function annotationProblem(a: RecordedAnnotation): SkipReason | null {
  const times = [a.createdAt, a.seenAt, ...(a.removedAt === undefined ? [] : [a.removedAt])]
  if (!times.every(isExportableTime)) return 'time'
  if (!Number.isFinite(a.clock) || !allFinite(a.placement) || !allFinite(a.shape)) return 'value'
  return null
}

/**
 * The document for a call's recorded annotations. Each one is rebuilt field by field, in a fixed order that reads
 * well (who, when, where, what), so that nothing but the documented fields ever goes into a file. One that no
 * file can carry is left out, named in the document's `skipped` and counted in `skipped` (when given).
 */
export function toAnnotationDocument(
  annotations: readonly RecordedAnnotation[],
  skipped?: ExportSkips,
): AnnotationDocument {
  const left = new ExportSkips()
  const kept = exportable(annotations, 'annotation', annotationProblem, left)
  skipped?.addAll(left)
  return {
    format: ANNOTATION_DOCUMENT_FORMAT,
    version: ANNOTATION_DOCUMENT_VERSION,
    frame: ANNOTATION_FRAME,
    ...(left.count > 0 ? { skipped: left.sentences() } : {}),
    annotations: kept.map((a) => ({
      id: a.id,
      author: a.author,
      authorName: a.authorName,
      colour: a.colour,
      createdAt: a.createdAt,
      clock: a.clock,
      seenAt: a.seenAt,
      ...(a.removedAt !== undefined ? { removedAt: a.removedAt } : {}),
      approximate: a.approximate,
      placement: a.placement,
      shape: a.shape,
    })),
  }
}

/**
 * The document as the text both exports carry. Compact: a stroke holds up to 2,000 points, and indented JSON puts
 * every coordinate on a line of its own.
 */
export function annotationDocumentJson(
  annotations: readonly RecordedAnnotation[],
  skipped?: ExportSkips,
): string {
  return JSON.stringify(toAnnotationDocument(annotations, skipped))
}

/** Base64 of the text's UTF-8 bytes (btoa alone only takes Latin-1, and names and labels may be any script). */
export function base64Utf8(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text))
}
