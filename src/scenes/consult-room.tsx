// The calm consultation room drawn in immersive VR, built from primitives (no download, nothing to load):
// a warm floor, pale walls, a desk between the user and the panels, a window of soft light.

const FLOOR = '#b9a58c'
const WALL = '#dfe7e2'
const DESK = '#8a6b4f'
const LIGHT_PANEL = '#f4fbff'

export function ConsultRoom() {
  return (
    <group name="consult-room">
      <hemisphereLight args={['#ffffff', '#b9a58c', 1.2]} />
      <directionalLight position={[1.5, 3, 1]} intensity={1.2} />
      <mesh rotation-x={-Math.PI / 2} position-y={0}>
        <planeGeometry args={[8, 8]} />
        <meshStandardMaterial color={FLOOR} roughness={0.9} />
      </mesh>
      {/* Back, left and right walls, 3 m out: enough room to feel unenclosed in a headset. */}
      <mesh position={[0, 1.5, -3]}>
        <planeGeometry args={[8, 3]} />
        <meshStandardMaterial color={WALL} roughness={1} />
      </mesh>
      <mesh position={[-3, 1.5, 0]} rotation-y={Math.PI / 2}>
        <planeGeometry args={[8, 3]} />
        <meshStandardMaterial color={WALL} roughness={1} />
      </mesh>
      <mesh position={[3, 1.5, 0]} rotation-y={-Math.PI / 2}>
        <planeGeometry args={[8, 3]} />
        <meshStandardMaterial color={WALL} roughness={1} />
      </mesh>
      <mesh position={[1.8, 1.7, -2.99]}>
        <planeGeometry args={[1.6, 1]} />
        <meshBasicMaterial color={LIGHT_PANEL} />
      </mesh>
      {/* A desk at a seated clinician's height (0.74 m), below the panels' line of sight. */}
      <mesh position={[0, 0.72, -0.75]}>
        <boxGeometry args={[1.4, 0.04, 0.6]} />
        <meshStandardMaterial color={DESK} roughness={0.6} />
      </mesh>
      {[-0.65, 0.65].map((x) => (
        <mesh key={x} position={[x, 0.35, -0.75]}>
          <boxGeometry args={[0.04, 0.7, 0.55]} />
          <meshStandardMaterial color={DESK} roughness={0.6} />
        </mesh>
      ))}
      <mesh position={[-2.3, 0.25, -2.3]}>
        <cylinderGeometry args={[0.18, 0.14, 0.5, 24]} />
        <meshStandardMaterial color="#c8b6a0" />
      </mesh>
      <mesh position={[-2.3, 0.8, -2.3]}>
        <sphereGeometry args={[0.35, 24, 16]} />
        <meshStandardMaterial color="#7f9f7a" roughness={1} />
      </mesh>
    </group>
  )
}
