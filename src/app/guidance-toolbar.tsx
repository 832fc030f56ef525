// The remote-guidance tools on a screen: what a pointer makes in the worker's space (draw, arrow, pin, laser), in
// which colour, the next pin's label, undo, clear all, and freezing the worker's video. Shown while someone
// shares their space, and always to the specialist and the worker, whose call this is about. In a headset the
// same tools are in the 3D palette (src/scenes/xr-guidance-palette.tsx).
import { useCallback, useState, useSyncExternalStore } from 'react'
import { useStore } from 'zustand'
import { MAX_LABEL_LENGTH } from '../annotations/model'
import { type ColourName, PALETTE } from '../annotations/palette'
import { TOOL_LABELS, TOOLS } from '../annotations/tools'
import { notSharingSentence } from '../scenes/worker-space-layout'
import { useCall, useCallStore, useParticipantIds } from '../state/call-store'
import { usePage } from '../state/page-store'
import { useRuntime } from './runtime-context'

function colourLabel(name: ColourName): string {
  return name.charAt(0).toUpperCase() + name.slice(1)
}

export function GuidanceToolbar() {
  const runtime = useRuntime()
  const callStore = useCallStore()
  const { space, ownColour } = runtime
  const { actions: guidanceActions, store: guidanceStore, setPinLabel } = runtime.guidance
  const ownRole = usePage((s) => s.invite?.role ?? null)
  const peerIds = useParticipantIds()
  const subscribeSpace = useCallback((listener: () => void) => space.subscribe(listener), [space])
  const sharingPeer = useSyncExternalStore(
    subscribeSpace,
    useCallback(() => space.sharingPeer(peerIds), [space, peerIds]),
  )
  const idleWorker = useCall((s) => {
    for (const peerId of peerIds) {
      const participant = s.participants[peerId]
      if (participant?.role === 'worker') return participant.name
    }
    return null
  })
  const tool = useStore(guidanceStore, (s) => s.tool)
  const chosen = useStore(guidanceStore, (s) => s.colour)
  const pinLabel = useStore(guidanceStore, (s) => s.pinLabel)
  const frozen = useStore(guidanceStore, (s) => s.frozen !== null)
  const [confirmingClear, setConfirmingClear] = useState(false)

  if (sharingPeer === null && ownRole !== 'specialist' && ownRole !== 'worker') return null
  const colour = chosen ?? ownColour()

  return (
    <div className="guidance-toolbar" role="toolbar" aria-label="Guidance tools">
      <div className="tools" role="radiogroup" aria-label="Tool">
        {TOOLS.map((t) => (
          // biome-ignore lint/a11y/useSemanticElements: a row of buttons reads better than radio inputs here, and role radio gives it the same meaning.
          <button
            key={t}
            type="button"
            role="radio"
            aria-checked={t === tool}
            onClick={() => guidanceActions.setTool(t)}
          >
            {TOOL_LABELS[t]}
          </button>
        ))}
      </div>
      <div className="swatches" role="radiogroup" aria-label="Colour">
        {PALETTE.map((c) => (
          // biome-ignore lint/a11y/useSemanticElements: see the tools above.
          <button
            key={c.name}
            type="button"
            role="radio"
            className="swatch"
            aria-checked={c.name === colour}
            aria-label={colourLabel(c.name)}
            title={colourLabel(c.name)}
            style={{ backgroundColor: c.hex }}
            onClick={() => guidanceActions.setColour(c.name)}
          />
        ))}
      </div>
      {/* Always there, so choosing a tool never resizes the 3D view under the pointer. */}
      <label className="pin-label">
        Pin label{' '}
        <input
          value={pinLabel}
          maxLength={MAX_LABEL_LENGTH}
          onChange={(event) => setPinLabel(event.target.value)}
        />
      </label>
      <button type="button" onClick={guidanceActions.undo}>
        Undo
      </button>
      {confirmingClear ? (
        <span className="confirm">
          <button
            type="button"
            className="danger"
            onClick={() => {
              setConfirmingClear(false)
              guidanceActions.clearAll()
            }}
          >
            Clear everyone's marks
          </button>
          <button type="button" onClick={() => setConfirmingClear(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" onClick={() => setConfirmingClear(true)}>
          Clear all
        </button>
      )}
      {sharingPeer !== null && (
        <button
          type="button"
          aria-pressed={frozen}
          onClick={() => {
            if (frozen) return guidanceActions.unfreeze()
            if (!guidanceActions.freeze(sharingPeer))
              callStore
                .getState()
                .notify('There is no picture to freeze yet: the worker’s view has not arrived.')
          }}
        >
          {frozen ? 'Live' : 'Freeze'}
        </button>
      )}
      {sharingPeer === null && idleWorker !== null && ownRole !== 'worker' && (
        <p className="guidance-status" role="status">
          {notSharingSentence(idleWorker)}
        </p>
      )}
    </div>
  )
}
