// What is shared in the call, in the DOM: each item with its name, type, size, who shared it and how far it has
// arrived (for its sharer: how far it has reached each participant), and a viewer for the one selected: a
// document's pages and zoom, a DICOM image's frames and window (presets, or drag: sideways for width, up and down
// for level), following the shared view or detached, and presenting for whoever may. The same pictures hang in the
// 3D view (src/scenes/shared-panels.tsx).
import { type PointerEvent, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { materializeItemMarks } from '../annotations/model'
import { colourHex } from '../annotations/palette'
import type { Target } from '../annotations/raycast'
import { keepsRecord } from '../call/recording'
import type { CallRuntime } from '../call/runtime'
import { base64ToBytes } from '../lib/base64'
import {
  acquireItem,
  type OpenedItem,
  openItem,
  pageToPicture,
  pictureToPage,
  releaseItem,
} from '../scenes/item-render'
import type { SharedItem } from '../share/channel'
import { modelParts } from '../share/gltf'
import { formatBytes } from '../share/intake'
import type { Format } from '../share/sniff'
import { FORMATS } from '../share/sniff'
import { MAX_ZOOM, MIN_ZOOM } from '../share/wire'
import { useCall } from '../state/call-store'
import { useRuntime } from './runtime-context'

export function useSharedItems(runtime: CallRuntime): SharedItem[] {
  return useSyncExternalStore(runtime.share.subscribe, runtime.share.items)
}

function percent(item: SharedItem, chunks = item.held): number {
  return Math.floor((chunks / Math.max(1, item.chunks)) * 100)
}

function StatusLine({ item }: { item: SharedItem }) {
  if (item.problem) return <span className="problem">{item.problem}</span>
  switch (item.status) {
    case 'receiving':
      return (
        <>
          <progress max={item.chunks} value={item.held} /> {percent(item)} % received
        </>
      )
    case 'verifying':
      return <>Checking…</>
    case 'ready':
      return null
    case 'failed':
      return <span className="problem">Not available.</span>
  }
}

/** The sharer sees how far their file has reached each participant. */
function Receivers({ item }: { item: SharedItem }) {
  const participants = useCall((s) => s.participants)
  const rows = Object.entries(item.receivers)
  if (!item.mine || rows.length === 0) return null
  return (
    <ul className="receivers">
      {rows.map(([peerId, progress]) => (
        <li key={peerId} data-testid="share-receiver" data-state={progress.state}>
          {participants[peerId]?.name ?? progress.name}:{' '}
          {progress.state === 'ready'
            ? 'received'
            : progress.state === 'failed'
              ? 'could not take it'
              : `${percent(item, progress.chunks)} %`}
        </li>
      ))}
    </ul>
  )
}

/** Window presets and drag sensitivity: one screen width of drag spans the image's whole value range. */
function useViewer(item: SharedItem) {
  const [opened, setOpened] = useState<OpenedItem | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  useEffect(() => {
    if (!item.bytes || FORMATS[item.format].kind === 'model') return
    let live = true
    acquireItem(item.id, item.format, item.mime, item.bytes)
      .then((value) => live && setOpened(value))
      .catch((error: Error) => live && setProblem(error.message))
    return () => {
      live = false
      setOpened(null)
      releaseItem(item.id)
    }
  }, [item.id, item.bytes, item.format, item.mime])
  return { opened, problem }
}

function Viewer({ item }: { item: SharedItem }) {
  const runtime = useRuntime()
  const { opened, problem } = useViewer(item)
  const canvas = useRef<HTMLCanvasElement>(null)
  const drag = useRef<{ x: number; y: number; centre: number; width: number } | null>(null)
  const { view } = item
  const [drawn, setDrawn] = useState(0)
  const markMode = useMarkMode(item.id)
  const marking = useRef(false)

  useEffect(() => {
    const target = canvas.current
    if (!opened || !target) return
    let live = true
    opened
      .render(view, target)
      .then(() => live && setDrawn((n) => n + 1))
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [opened, view])

  if (FORMATS[item.format].kind === 'model') {
    return (
      <div className="viewer" data-testid="item-viewer">
        <p>
          This 3D model stands beside the panels in the 3D view: drag it to turn it, or choose Pin or Draw and
          point at it to mark it.
        </p>
        <MarkButtons item={item.id} />
        <ModelParts item={item} />
        <div className="row">
          <button
            type="button"
            onClick={() => runtime.share.setView(item.id, { rotation: turn(view.rotation, -Math.PI / 8) })}
          >
            Turn left
          </button>
          <button
            type="button"
            onClick={() => runtime.share.setView(item.id, { rotation: turn(view.rotation, Math.PI / 8) })}
          >
            Turn right
          </button>
        </div>
        <FollowLine item={item} />
      </div>
    )
  }
  const set = (patch: Parameters<typeof runtime.share.setView>[1]) => runtime.share.setView(item.id, patch)
  const pages = opened?.pages ?? 1
  const windows = opened?.windows ?? []
  const range = opened?.range
  const current = view.window ?? windows[0] ?? null
  /** A pointer on the picture as a point of the page (what a mark stores), with the item and page. */
  const pageTarget = (event: PointerEvent<HTMLCanvasElement>): Target => {
    const rect = event.currentTarget.getBoundingClientRect()
    const [u, v] = pictureToPage(
      (event.clientX - rect.left) / Math.max(1, rect.width),
      (event.clientY - rect.top) / Math.max(1, rect.height),
      view.zoom,
    )
    return { point: [u, v, 0], normal: null, approximate: false, on: { item: item.id, page: view.page } }
  }
  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    if (markMode) {
      event.currentTarget.setPointerCapture(event.pointerId)
      marking.current = true
      runtime.guidance.actions.pointerDown(pageTarget(event), markMode)
      return
    }
    if (!current || !range) return
    event.currentTarget.setPointerCapture(event.pointerId)
    drag.current = { x: event.clientX, y: event.clientY, centre: current.centre, width: current.width }
  }
  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    if (marking.current) {
      runtime.guidance.actions.pointerMove(pageTarget(event))
      return
    }
    const start = drag.current
    if (!start || !range) return
    const span = Math.max(1, range.max - range.min)
    const perPixel = span / Math.max(1, event.currentTarget.clientWidth)
    set({
      window: {
        centre: start.centre - (event.clientY - start.y) * perPixel,
        width: Math.max(1, start.width + (event.clientX - start.x) * perPixel),
      },
    })
  }
  return (
    <div className="viewer" data-testid="item-viewer">
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      <div style={{ position: 'relative', lineHeight: 0 }}>
        <canvas
          ref={canvas}
          data-testid="item-canvas"
          data-drawn={drawn}
          data-page={view.page}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={() => {
            drag.current = null
            if (marking.current) {
              marking.current = false
              runtime.guidance.actions.pointerUp()
            }
          }}
          style={{ cursor: markMode ? 'crosshair' : range ? 'ns-resize' : undefined }}
        />
        <PageMarks item={item.id} page={view.page} zoom={view.zoom} />
      </div>
      <MarkButtons item={item.id} />
      <div className="row">
        {pages > 1 && (
          <>
            <button
              type="button"
              disabled={view.page <= 0}
              onClick={() => set({ page: view.page - 1 })}
              data-testid="page-prev"
            >
              {item.kind === 'dicom' ? 'Previous frame' : 'Previous page'}
            </button>
            <span data-testid="page-number">
              {view.page + 1} / {pages}
            </span>
            <button
              type="button"
              disabled={view.page >= pages - 1}
              onClick={() => set({ page: view.page + 1 })}
              data-testid="page-next"
            >
              {item.kind === 'dicom' ? 'Next frame' : 'Next page'}
            </button>
          </>
        )}
        <button
          type="button"
          disabled={view.zoom <= MIN_ZOOM}
          onClick={() => set({ zoom: Math.max(1, view.zoom / 1.5) })}
        >
          Zoom out
        </button>
        <button
          type="button"
          disabled={view.zoom >= MAX_ZOOM}
          onClick={() => set({ zoom: Math.min(MAX_ZOOM, view.zoom * 1.5) })}
        >
          Zoom in
        </button>
      </div>
      {windows.length > 0 && current && (
        <label>
          Window{' '}
          <select
            data-testid="window-preset"
            value={windows.findIndex((w) => w.centre === current.centre && w.width === current.width)}
            onChange={(event) => {
              const chosen = windows[Number(event.target.value)]
              if (chosen) set({ window: { centre: chosen.centre, width: chosen.width } })
            }}
          >
            {windows.map((preset, index) => (
              <option key={`${preset.label}-${index}`} value={index}>
                {preset.label} ({Math.round(preset.centre)} / {Math.round(preset.width)})
              </option>
            ))}
            <option value={-1} disabled>
              Adjusted ({Math.round(current.centre)} / {Math.round(current.width)})
            </option>
          </select>
        </label>
      )}
      <FollowLine item={item} />
    </div>
  )
}

/**
 * A model's named parts: clicking one highlights and labels it on the model for everyone following (it is part of
 * the shared view, so a presenter's choice is everyone's); clicking it again clears it.
 */
function ModelParts({ item }: { item: SharedItem }) {
  const runtime = useRuntime()
  const parts = useMemo(
    () => (item.bytes ? modelParts(item.bytes, item.format === 'glb') : []),
    [item.bytes, item.format],
  )
  if (parts.length === 0) return null
  const current = item.view.part ?? null
  return (
    <fieldset className="model-parts">
      <legend>Parts</legend>
      {parts.map((part) => (
        <button
          key={part}
          type="button"
          className="small"
          aria-pressed={current === part}
          onClick={() => runtime.share.setView(item.id, { part: current === part ? null : part })}
          data-testid="model-part"
        >
          {part}
        </button>
      ))}
    </fieldset>
  )
}

/** What a pointer on item `id` makes now (chosen here or on its 3D panel): a pin, a stroke, or nothing. */
function useMarkMode(id: string): 'pin' | 'stroke' | null {
  const runtime = useRuntime()
  return useSyncExternalStore(runtime.guidance.store.subscribe, () => {
    const mark = runtime.guidance.store.getState().itemMark
    return mark?.item === id ? mark.tool : null
  })
}

/** Pin and Draw: a pointer on the item makes marks (pressing the chosen one again ends it). */
function MarkButtons({ item }: { item: string }) {
  const runtime = useRuntime()
  const mode = useMarkMode(item)
  return (
    <div className="row">
      {(['pin', 'stroke'] as const).map((tool) => (
        <button
          key={tool}
          type="button"
          aria-pressed={mode === tool}
          onClick={() => runtime.guidance.actions.markItem(item, mode === tool ? null : tool)}
          data-testid={`mark-${tool}`}
        >
          {tool === 'pin' ? 'Pin' : 'Draw'}
        </button>
      ))}
    </div>
  )
}

/**
 * The marks on the page shown, over its picture: pins as dots with their label, strokes as lines, at the page
 * points they were made at (through the view's zoom), as the 3D panel shows them. Pointer events pass through.
 */
function PageMarks({ item, page, zoom }: { item: string; page: number; zoom: number }) {
  const marks = useCall((s) => materializeItemMarks(s.annotations, item))
  const shown = marks.filter(
    (annotation) => annotation.placement.frame === 'item' && annotation.placement.page === page,
  )
  if (shown.length === 0) return null
  const overlay = { position: 'absolute', inset: 0, pointerEvents: 'none', overflow: 'hidden' } as const
  return (
    <div style={overlay} data-testid="item-marks">
      <svg viewBox="0 0 1 1" preserveAspectRatio="none" width="100%" height="100%" aria-hidden="true">
        {shown.map((annotation) => {
          const { shape, placement } = annotation
          if (shape.type !== 'stroke') return null
          const [ox, oy] = placement.position
          const points = shape.points
            .map((p) => pageToPicture(ox + p[0], oy + p[1], zoom).join(','))
            .join(' ')
          return (
            <polyline
              key={annotation.id}
              data-testid="item-mark"
              data-kind="stroke"
              points={points}
              fill="none"
              stroke={colourHex(annotation.colour)}
              strokeWidth={3}
              strokeLinecap="round"
              strokeLinejoin="round"
              vectorEffect="non-scaling-stroke"
            />
          )
        })}
      </svg>
      {shown.map((annotation) => {
        const { shape, placement } = annotation
        if (shape.type !== 'pin') return null
        const u = placement.position[0] + shape.position[0]
        const v = placement.position[1] + shape.position[1]
        const [x, y] = pageToPicture(u, v, zoom)
        if (x < 0 || x > 1 || y < 0 || y > 1) return null
        return (
          <span
            key={annotation.id}
            data-testid="item-mark"
            data-kind="pin"
            data-u={u}
            data-v={v}
            title={`${shape.label} (${annotation.authorName})`}
            style={{
              position: 'absolute',
              left: `${x * 100}%`,
              top: `${y * 100}%`,
              width: 14,
              height: 14,
              margin: -7,
              borderRadius: '50%',
              border: '2px solid #fff',
              background: colourHex(annotation.colour),
              lineHeight: 'normal',
            }}
          >
            <span
              style={{
                position: 'absolute',
                left: 16,
                top: -4,
                whiteSpace: 'nowrap',
                background: 'rgba(10, 14, 18, 0.85)',
                color: colourHex(annotation.colour),
                padding: '0 4px',
                fontSize: 12,
              }}
            >
              {shape.label} · {annotation.authorName}
            </span>
          </span>
        )
      })}
    </div>
  )
}

/** A quarter-turn helper for the model buttons: rotation about the vertical axis, composed with the current one. */
function turn(q: [number, number, number, number], angle: number): [number, number, number, number] {
  const s = Math.sin(angle / 2)
  const c = Math.cos(angle / 2)
  const [x, y, z, w] = q
  // (0, s, 0, c) · q
  return [c * x + s * z, c * y + s * w, c * z - s * x, c * w - s * y]
}

/** Following the shared view or looking on one's own, and presenting. */
function FollowLine({ item }: { item: SharedItem }) {
  const runtime = useRuntime()
  const presenterName = useCall((s) =>
    item.presenter
      ? Object.values(s.participants).find((p) => p.session === item.presenter)?.name
      : undefined,
  )
  const presentingMyself = item.presenter !== null && item.presenter === runtime.session
  return (
    <p className="follow" data-testid="follow-line" data-following={item.following}>
      {item.following ? (
        item.presenter ? (
          presentingMyself ? (
            'You are presenting: everyone following sees your view.'
          ) : (
            `${presenterName ?? 'Someone'} is presenting.`
          )
        ) : (
          'Everyone sees the same view.'
        )
      ) : (
        <>
          You are looking on your own.{' '}
          <button
            type="button"
            className="small"
            onClick={() => runtime.share.follow(item.id)}
            data-testid="follow"
          >
            Follow
          </button>
        </>
      )}{' '}
      {runtime.share.mayPresent(item.id) && (
        <button
          type="button"
          className="small"
          aria-pressed={presentingMyself}
          onClick={() => runtime.share.present(item.id, !presentingMyself)}
          data-testid="present"
        >
          {presentingMyself ? 'Stop presenting' : 'Present'}
        </button>
      )}
    </p>
  )
}

/**
 * `?debug` pages: how far the viewer's picture is from a reference rendering of the same file (bytes the test holds)
 * made here by the same renderer: the mean difference per colour channel, 0..255.
 */
function installDebugReference() {
  const target = globalThis as Record<string, unknown>
  target.__xrConsultShareReference = async (format: Format, mime: string, base64: string, page: number) => {
    const bytes = base64ToBytes(base64)
    const shown = document.querySelector<HTMLCanvasElement>('[data-testid="item-canvas"]')
    if (!bytes || !shown) return null
    const reference = document.createElement('canvas')
    const opened = await openItem(format, mime, bytes)
    await opened.render({ page, zoom: 1, window: null, rotation: [0, 0, 0, 1], scale: 1 }, reference)
    opened.dispose()
    if (reference.width !== shown.width || reference.height !== shown.height) {
      return {
        meanDifference: 255,
        size: [shown.width, shown.height],
        referenceSize: [reference.width, reference.height],
      }
    }
    const a = shown.getContext('2d')?.getImageData(0, 0, shown.width, shown.height).data
    const b = reference.getContext('2d')?.getImageData(0, 0, reference.width, reference.height).data
    if (!a || !b) return null
    let total = 0
    for (let i = 0; i < a.length; i += 4) {
      total +=
        Math.abs((a[i] ?? 0) - (b[i] ?? 0)) +
        Math.abs((a[i + 1] ?? 0) - (b[i + 1] ?? 0)) +
        Math.abs((a[i + 2] ?? 0) - (b[i + 2] ?? 0))
    }
    return {
      meanDifference: total / ((a.length / 4) * 3),
      size: [shown.width, shown.height],
      referenceSize: [reference.width, reference.height],
    }
  }
  return () => {
    delete target.__xrConsultShareReference
  }
}

/**
 * For whoever keeps the call's record (a clinician): keep the file itself in it, not only what it was, so the
 * FHIR export carries it. Off by default: a record of the call should hold a patient's files only by choice.
 */
function KeepInRecord({ item }: { item: SharedItem }) {
  const runtime = useRuntime()
  const kept = useSyncExternalStore(runtime.subscribeKept, () => runtime.keepsInRecord(item.id))
  if (!keepsRecord(runtime.invite) || item.status !== 'ready' || !item.bytes) return null
  return (
    <label className="keep-in-record">
      <input
        type="checkbox"
        checked={kept}
        onChange={(event) => runtime.keepInRecord(item.id, event.target.checked)}
        data-testid="keep-in-record"
      />{' '}
      Keep the file in the call record
    </label>
  )
}

export function SharedItems() {
  const runtime = useRuntime()
  useEffect(
    () => (new URLSearchParams(location.search).has('debug') ? installDebugReference() : undefined),
    [],
  )
  const items = useSharedItems(runtime)
  const [selected, setSelected] = useState<string | null>(null)
  // The newest item opens by itself, unless the user picked another that is still there.
  const newest = items[items.length - 1]?.id ?? null
  const shown = items.find((item) => item.id === selected) ?? items.find((item) => item.id === newest)
  useEffect(() => {
    setSelected(null)
  }, [newest])
  if (items.length === 0) return null
  return (
    <section className="shared" aria-label="Shared files" data-testid="shared-items">
      <h2>Shared</h2>
      <ul>
        {items.map((item) => (
          <li
            key={item.id}
            data-testid="shared-item"
            data-status={item.status}
            data-name={item.name}
            aria-current={item === shown}
          >
            <button type="button" className="link" onClick={() => setSelected(item.id)}>
              {item.name}
            </button>{' '}
            <span className="item-meta">
              {FORMATS[item.format].words}, {formatBytes(item.size)},{' '}
              {item.mine ? 'shared by you' : `from ${item.authorName}`}
            </span>{' '}
            <StatusLine item={item} />
            <Receivers item={item} />
            <KeepInRecord item={item} />
            {(item.mine || runtime.invite.role === 'clinician') && (
              <button type="button" className="small" onClick={() => runtime.share.remove(item.id)}>
                Stop sharing
              </button>
            )}
          </li>
        ))}
      </ul>
      {shown?.status === 'ready' && <Viewer key={shown.id} item={shown} />}
    </section>
  )
}
