// The patient's vitals beside their video panel: numerics tiles on a canvas texture (redrawn only when a value,
// an alarm phase or staleness changes) and a sweeping ECG strip whose vertices are rewritten in useFrame from the
// feed's ring buffer. Nothing here re-renders React per sample; the component mounts once when vitals appear.
import { useFrame, useThree } from '@react-three/fiber'
import { useEffect, useMemo, useRef, useState } from 'react'
import {
  BufferAttribute,
  BufferGeometry,
  CanvasTexture,
  Line,
  LineBasicMaterial,
  SRGBColorSpace,
} from 'three'
import type { PatientVitals, VitalsFeed } from '../vitals/feed'
import { buildMonitorModel, type MonitorInputs } from '../vitals/monitor'
import { CANVAS_HEIGHT, CANVAS_WIDTH, drawMonitor } from './monitor-canvas'

import { MONITOR_WIDTH } from './panel-layout'

const MONITOR_HEIGHT = (MONITOR_WIDTH * CANVAS_HEIGHT) / CANVAS_WIDTH
const STRIP_HEIGHT = 0.14
/** The strip shows 5 s of ECG, sweeping left to right like a bedside monitor. */
const STRIP_SECONDS = 5
/** ±1.5 mV spans the strip's height. */
const STRIP_MICROVOLTS = 1500
/** Outside XR the scene draws on demand; while an ECG streams it is redrawn this often, ms. */
const SWEEP_INTERVAL_MS = 40
/** Without a new message, the numerics are re-checked this often (alarm flashes at 2 Hz need 4 checks/s), ms. */
const NUMERICS_CHECK_MS = 125

export interface VitalsMonitorProps {
  feed: VitalsFeed
  peerId: string
  title: string
  /** Limits and active alarms for this patient at `now`. */
  inputs: (now: number) => MonitorInputs
}

/** Mounts the monitor once the participant has shared any vitals; until then draws nothing. */
export function VitalsMonitorSlot(props: VitalsMonitorProps) {
  const [present, setPresent] = useState(() => props.feed.get(props.peerId) !== undefined)
  useEffect(() => {
    if (present) return
    // One React update when vitals first appear; no per-sample updates after that.
    const check = () => {
      if (props.feed.get(props.peerId)) setPresent(true)
    }
    check()
    return props.feed.subscribe(check)
  }, [present, props.feed, props.peerId])
  return present ? <VitalsMonitor {...props} /> : null
}

function VitalsMonitor({ feed, peerId, title, inputs }: VitalsMonitorProps) {
  const invalidate = useThree((s) => s.invalidate)
  const { canvas, texture } = useMemo(() => {
    const canvas = document.createElement('canvas')
    canvas.width = CANVAS_WIDTH
    canvas.height = CANVAS_HEIGHT
    const texture = new CanvasTexture(canvas)
    texture.colorSpace = SRGBColorSpace
    return { canvas, texture }
  }, [])
  const samples = Math.round(250 * STRIP_SECONDS)
  const { geometry, line } = useMemo(() => {
    const geometry = new BufferGeometry()
    geometry.setAttribute('position', new BufferAttribute(new Float32Array(samples * 3), 3))
    const line = new Line(geometry, new LineBasicMaterial({ color: '#4be37a', toneMapped: false }))
    line.name = `vitals-ecg:${peerId}`
    line.frustumCulled = false
    return { geometry, line }
  }, [samples, peerId])
  const drawn = useRef({ key: '', version: -1, checkedAt: 0 })

  useEffect(
    () => () => {
      texture.dispose()
      geometry.dispose()
      ;(line.material as LineBasicMaterial).dispose()
    },
    [texture, geometry, line],
  )

  // Keep drawing while the sweep moves (on-demand rendering would otherwise stop between video frames).
  useEffect(() => {
    const timer = setInterval(() => {
      const patient = feed.get(peerId)
      // While an ECG streams, at the sweep's rate; otherwise a slower tick keeps staleness and alarm flashes current.
      if (patient && (Date.now() - patient.ecg.receivedAt < 10_000 || Date.now() % 200 < SWEEP_INTERVAL_MS)) {
        invalidate()
      }
    }, SWEEP_INTERVAL_MS)
    return () => clearInterval(timer)
  }, [feed, peerId, invalidate])

  useFrame(() => {
    const patient = feed.get(peerId)
    if (!patient) return
    const now = Date.now()
    // The numerics change with a new message (the feed's version) or with time (staleness, ages, alarm flashes,
    // at most a few Hz): build the model only then, not on every rendered frame.
    const due =
      patient.version !== drawn.current.version || now - drawn.current.checkedAt >= NUMERICS_CHECK_MS
    if (due) drawNumerics(patient, now)
    drawEcg(patient, now)
  })

  const drawNumerics = (patient: PatientVitals, now: number) => {
    drawn.current.version = patient.version
    drawn.current.checkedAt = now
    const model = buildMonitorModel(title, patient, inputs(now))
    // Redraw the canvas only when what it shows changed (values, staleness, alarm phase, trend minute).
    const key = JSON.stringify(
      model.tiles.map((t) => [
        t.valueText,
        t.stale,
        t.alarm,
        t.flashOn,
        t.ageText,
        t.questionable,
        t.trend.length,
      ]),
    ).concat(String(model.stopped), String(Math.floor(now / 5000)))
    if (key !== drawn.current.key) {
      const ctx = canvas.getContext('2d')
      if (ctx) {
        drawMonitor(ctx, model)
        texture.needsUpdate = true
      }
      drawn.current.key = key
    }
  }

  const drawEcg = (patient: PatientVitals, now: number) => {
    // The ECG strip: the newest samples end at the sweep position; older ones wrap round behind it.
    const strip = patient.ecg
    const positions = geometry.getAttribute('position') as BufferAttribute
    const array = positions.array as Float32Array
    const sweep = strip.written % samples
    const stale = now - strip.receivedAt > 5000 || strip.written === 0
    for (let i = 0; i < samples; i++) {
      // Sample shown at column i: the newest `samples` samples, laid out by their index modulo the width.
      const age = (sweep - 1 - i + samples) % samples
      const index = strip.written - 1 - age
      const value = index >= 0 && !stale ? (strip.samples[index % strip.samples.length] ?? 0) : 0
      array[i * 3] = -MONITOR_WIDTH / 2 + (i / (samples - 1)) * MONITOR_WIDTH
      const clamped = Math.max(-STRIP_MICROVOLTS, Math.min(STRIP_MICROVOLTS, value))
      array[i * 3 + 1] = (clamped / STRIP_MICROVOLTS) * (STRIP_HEIGHT / 2)
      array[i * 3 + 2] = 0.002
    }
    positions.needsUpdate = true
  }

  return (
    <group name={`vitals-monitor:${peerId}`}>
      <mesh name={`vitals-numerics:${peerId}`} position-y={STRIP_HEIGHT / 2}>
        <planeGeometry args={[MONITOR_WIDTH, MONITOR_HEIGHT]} />
        <meshBasicMaterial map={texture} toneMapped={false} />
      </mesh>
      <group position-y={-MONITOR_HEIGHT / 2 - 0.005}>
        <mesh position-z={-0.001}>
          <planeGeometry args={[MONITOR_WIDTH, STRIP_HEIGHT]} />
          <meshBasicMaterial color="#0b0f12" />
        </mesh>
        <primitive object={line} />
      </group>
    </group>
  )
}
