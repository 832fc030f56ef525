// What is shared in the call, in the DOM: each item with its name, type, size, who shared it and how far it has
// arrived (for its sharer: how far it has reached each participant), and a viewer for the one selected: a
// document's pages and zoom, a DICOM image's frames and window (presets, or drag: sideways for width, up and down
// for level), following the shared view or detached, and presenting for whoever may. The same pictures hang in the
// 3D view (src/scenes/shared-panels.tsx).
import { type PointerEvent, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import type { CallRuntime } from '../call/runtime'
import { base64ToBytes } from '../lib/base64'
import { acquireItem, type OpenedItem, openItem, releaseItem } from '../scenes/item-render'
import type { SharedItem } from '../share/channel'
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
        <p>This 3D model stands beside the panels in the 3D view: drag it to turn it.</p>
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
  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    if (!current || !range) return
    event.currentTarget.setPointerCapture(event.pointerId)
    drag.current = { x: event.clientX, y: event.clientY, centre: current.centre, width: current.width }
  }
  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
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
      <canvas
        ref={canvas}
        data-testid="item-canvas"
        data-drawn={drawn}
        data-page={view.page}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => {
          drag.current = null
        }}
        style={{ cursor: range ? 'ns-resize' : undefined }}
      />
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
