// The guidance tools inside XR, where the DOM toolbar cannot be seen: tool, colour, undo, clear and freeze, as a
// compact panel to the right of the worker's miniature, turned towards the user and within reach of a
// controller ray or a hand.
import { Container, Text } from '@react-three/uikit'
import { useXR } from '@react-three/xr'
import { useEffect, useState } from 'react'
import { PALETTE } from '../annotations/palette'
import { TOOL_LABELS, TOOLS } from '../annotations/tools'
import { useParticipantIds } from '../state/call-store'
import { usePage } from '../state/page-store'
import { type GuidanceView, useGuidanceState, useSpace } from './guidance-view'
import { facingUser } from './panel-layout'
import { uiFontFamilies } from './ui-font'

/**
 * Right of the miniature (at most 0.8 m across, its floor 0.75 m high and 0.85 m out), a little below the hands,
 * metres; the call controls mirror it on the left. It used to stand 0.75 m aside at 0.95 m: 50° to the right and
 * 35° down, its outer half past the edge of the view (issue 11).
 */
const BESIDE_MINIATURE: [number, number, number] = [0.6, 1.0, -0.65]
/**
 * Without a miniature (the on-site worker in AR): right of centre, about 25° aside and 35° down, within arm's reach
 * and whole in view (a 90° vertical field of view reaches 45° down; at [0.38, 1.12] its near lower corner, turned
 * towards the user, left the emulated Quest 3's left eye by a few pixels), above the call controls' right end, which
 * move left to make room (xr-call-controls.tsx). Its top edge stays under the ray of a hand held at chest height
 * towards the room ahead, so it does not take a ray meant for the surfaces the worker draws on. Metres.
 */
const IN_REACH: [number, number, number] = [0.32, 1.17, -0.66]
/** 0.8 mm per uikit pixel: about 0.4 m across, 21 mm letters at arm's length. */
const PIXEL_SIZE = 0.0008
/** How long "Clear all" waits for its confirming second press, ms. */
const CONFIRM_MS = 3000

interface PaletteButtonProps {
  label: string
  onClick: () => void
  selected?: boolean
  danger?: boolean
  /** Object name, so the scene probe (and so the tests) can find the button. */
  name: string
}

function PaletteButton({ label, onClick, selected = false, danger = false, name }: PaletteButtonProps) {
  const base = danger ? '#b3261e' : selected ? '#1d5c7a' : '#2b4250'
  return (
    <Container
      ref={(component) => {
        if (component) component.name = name
      }}
      onClick={onClick}
      backgroundColor={base}
      hover={{ backgroundColor: danger ? '#d33a2f' : '#3c5a6c' }}
      borderWidth={4}
      borderColor={selected ? '#ffffff' : base}
      borderRadius={14}
      paddingX={18}
      paddingY={10}
      cursor="pointer"
    >
      <Text fontSize={26} color="#ffffff">
        {label}
      </Text>
    </Container>
  )
}

/** `beside`: the worker's miniature stands in front of the user, so the palette goes to its right. */
export function XrGuidancePalette({
  guidance,
  beside = false,
}: {
  guidance: GuidanceView
  beside?: boolean
}) {
  const session = useXR((s) => s.session)
  const ownRole = usePage((s) => s.invite?.role ?? null)
  const peerIds = useParticipantIds()
  const sharingPeer = useSpace(guidance.space, (space) => space.sharingPeer(peerIds))
  const tool = useGuidanceState(guidance, (state) => state.tool)
  const chosen = useGuidanceState(guidance, (state) => state.colour)
  const frozen = useGuidanceState(guidance, (state) => state.frozen !== null)
  const [confirming, setConfirming] = useState(false)
  useEffect(() => {
    if (!confirming) return
    const timer = setTimeout(() => setConfirming(false), CONFIRM_MS)
    return () => clearTimeout(timer)
  }, [confirming])

  const relevant = sharingPeer !== null || ownRole === 'specialist' || ownRole === 'worker'
  if (!session || !relevant) return null
  const { actions } = guidance
  const colour = chosen ?? guidance.ownColour()
  return (
    <group
      name="xr-guidance-palette"
      position={beside ? BESIDE_MINIATURE : IN_REACH}
      // Square to the line of sight: the old fixed tilt, seen from the side, read as a skewed panel.
      rotation={facingUser(beside ? BESIDE_MINIATURE : IN_REACH)}
    >
      <Container
        ref={(component) => {
          if (component) component.name = 'xr-guidance-palette-box'
        }}
        pixelSize={PIXEL_SIZE}
        fontFamilies={uiFontFamilies}
        flexDirection="column"
        gap={12}
        padding={16}
        backgroundColor="#0f1a20"
        borderRadius={20}
      >
        <Container flexDirection="row" gap={8}>
          {TOOLS.map((t) => (
            <PaletteButton
              key={t}
              name={`xr-tool-${t}`}
              label={TOOL_LABELS[t]}
              selected={t === tool}
              onClick={() => actions.setTool(t)}
            />
          ))}
        </Container>
        <Container flexDirection="row" gap={8}>
          {PALETTE.map((c) => (
            <Container
              key={c.name}
              ref={(component) => {
                if (component) component.name = `xr-colour-${c.name}`
              }}
              onClick={() => actions.setColour(c.name)}
              width={48}
              height={48}
              borderRadius={24}
              backgroundColor={c.hex}
              // The chosen colour is ringed, not only told by its hue.
              borderWidth={c.name === colour ? 6 : 0}
              borderColor="#ffffff"
              cursor="pointer"
            />
          ))}
        </Container>
        <Container flexDirection="row" gap={8}>
          <PaletteButton name="xr-undo" label="Undo" onClick={actions.undo} />
          <PaletteButton
            name="xr-clear"
            label={confirming ? 'Confirm clear' : 'Clear all'}
            danger={confirming}
            onClick={() => {
              if (!confirming) return setConfirming(true)
              setConfirming(false)
              actions.clearAll()
            }}
          />
          {sharingPeer && (
            <PaletteButton
              name="xr-freeze"
              label={frozen ? 'Live' : 'Freeze'}
              selected={frozen}
              onClick={() => (frozen ? actions.unfreeze() : actions.freeze(sharingPeer))}
            />
          )}
        </Container>
      </Container>
    </group>
  )
}
