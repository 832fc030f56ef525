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
import { yawFacing } from './panel-layout'
import { uiFontFamilies } from './ui-font'

/**
 * Right of the miniature (at most 0.8 m across, its floor 0.75 m high and 0.85 m out), at waist height, turned
 * towards the user, metres; the call controls mirror it on the left.
 */
const POSITION: [number, number, number] = [0.75, 0.95, -0.6]
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

export function XrGuidancePalette({ guidance }: { guidance: GuidanceView }) {
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
      position={POSITION}
      rotation={[-0.4, yawFacing(POSITION[0], POSITION[2], 0, 0), 0, 'YXZ']}
    >
      <Container
        pixelSize={0.001}
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
