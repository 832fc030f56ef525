// Draws the numerics of a vitals monitor onto a 2D canvas, in the manner of a bedside monitor: one tile per vital
// with its value large, unit, alarm limits, a 5-minute trend line and where the value came from. Used as a
// CanvasTexture in the 3D scene, so the text is the browser's own font (no font download) and redrawing happens
// only when something visible changed, never per video frame.
import type { AlarmPriority, MonitorModel, TileModel } from '../vitals/monitor'
import { VITALS, type VitalKind } from '../vitals/types'

/** IEC 60601-1-8 colours: high priority red, medium yellow, low cyan. */
export const ALARM_COLOURS: Record<AlarmPriority, string> = {
  high: '#d7261e',
  medium: '#f2c12e',
  low: '#39c6d6',
}
/** Each vital's colour on the monitor, as bedside monitors use them (HR green, SpO₂ cyan, …). */
const VITAL_COLOURS: Record<VitalKind, string> = {
  'heart-rate': '#4be37a',
  spo2: '#41d3f2',
  'respiratory-rate': '#f5e663',
  'blood-pressure': '#ff6b6b',
  temperature: '#f5a35b',
  glucose: '#c99bff',
}

export const CANVAS_WIDTH = 1024
export const CANVAS_HEIGHT = 720
const HEADER = 64
const COLUMNS = 3
const ROWS = 2

function drawTrend(
  ctx: CanvasRenderingContext2D,
  tile: TileModel,
  x: number,
  y: number,
  w: number,
  h: number,
) {
  const points = tile.trend
  if (points.length < 2) return
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const [, v] of points) {
    min = Math.min(min, v)
    max = Math.max(max, v)
  }
  // Include the limits so the line's height says where the value is relative to them.
  min = Math.min(min, tile.limits.low)
  max = Math.max(max, tile.limits.high)
  const span = max - min || 1
  const start = tile.now - tile.trendWindowMs
  const px = (t: number) => x + ((t - start) / tile.trendWindowMs) * w
  const py = (v: number) => y + h - ((v - min) / span) * h
  ctx.strokeStyle = '#5a6b76'
  ctx.lineWidth = 2
  ctx.setLineDash([6, 6])
  for (const limit of [tile.limits.low, tile.limits.high]) {
    ctx.beginPath()
    ctx.moveTo(x, py(limit))
    ctx.lineTo(x + w, py(limit))
    ctx.stroke()
  }
  ctx.setLineDash([])
  ctx.strokeStyle = tile.stale ? '#6f7b83' : VITAL_COLOURS[tile.kind]
  ctx.lineWidth = 3
  ctx.beginPath()
  points.forEach(([t, v], i) => {
    if (i === 0) ctx.moveTo(px(t), py(v))
    else ctx.lineTo(px(t), py(v))
  })
  ctx.stroke()
}

function drawTile(
  ctx: CanvasRenderingContext2D,
  tile: TileModel,
  x: number,
  y: number,
  w: number,
  h: number,
) {
  const def = VITALS[tile.kind]
  const alarmColour = tile.alarm ? ALARM_COLOURS[tile.alarm] : null
  // A high or medium alarm flashes its tile background; low is steady (IEC 60601-1-8).
  const filled = alarmColour && (tile.alarm === 'low' || tile.flashOn)
  ctx.fillStyle = filled ? alarmColour : '#111a20'
  ctx.fillRect(x + 4, y + 4, w - 8, h - 8)
  if (alarmColour && !filled) {
    ctx.strokeStyle = alarmColour
    ctx.lineWidth = 6
    ctx.strokeRect(x + 7, y + 7, w - 14, h - 14)
  }
  const ink = filled ? '#0b0f12' : tile.stale ? '#7c878e' : VITAL_COLOURS[tile.kind]
  const faint = filled ? '#0b0f12' : '#9fb0ba'
  ctx.textBaseline = 'top'
  ctx.fillStyle = ink
  ctx.font = '600 30px system-ui, sans-serif'
  ctx.fillText(def.short, x + 18, y + 16)
  ctx.font = '26px system-ui, sans-serif'
  ctx.fillStyle = faint
  const limits = `${tile.limits.low}–${tile.limits.high}`
  ctx.fillText(limits, x + w - 18 - ctx.measureText(limits).width, y + 18)
  ctx.fillStyle = ink
  ctx.font = `700 ${tile.valueText.length > 5 ? 72 : 96}px system-ui, sans-serif`
  ctx.fillText(tile.valueText, x + 18, y + 54)
  ctx.font = '28px system-ui, sans-serif'
  ctx.fillStyle = faint
  ctx.fillText(def.unitLabel, x + 18, y + 158)
  drawTrend(ctx, tile, x + 18, y + 196, w - 36, 60)
  ctx.font = '22px system-ui, sans-serif'
  ctx.fillStyle = filled ? '#0b0f12' : tile.simulated ? '#f2c12e' : '#9fb0ba'
  const status = tile.stale ? 'NO UPDATE' : tile.questionable ? 'QUESTIONABLE' : (tile.ageText ?? '')
  const footer = [tile.sourceText, status].filter(Boolean).join(' · ')
  ctx.fillText(footer, x + 18, y + h - 34, w - 36)
}

export function drawMonitor(ctx: CanvasRenderingContext2D, model: MonitorModel) {
  ctx.fillStyle = '#0b0f12'
  ctx.fillRect(0, 0, CANVAS_WIDTH, CANVAS_HEIGHT)
  ctx.fillStyle = '#e8eef2'
  ctx.textBaseline = 'middle'
  ctx.font = '600 34px system-ui, sans-serif'
  ctx.fillText(model.title, 20, HEADER / 2)
  if (model.stopped) {
    ctx.fillStyle = '#f2c12e'
    const text = 'SHARING STOPPED'
    ctx.fillText(text, CANVAS_WIDTH - 20 - ctx.measureText(text).width, HEADER / 2)
  }
  const w = CANVAS_WIDTH / COLUMNS
  const h = (CANVAS_HEIGHT - HEADER) / ROWS
  model.tiles.forEach((tile, i) => {
    drawTile(ctx, tile, (i % COLUMNS) * w, HEADER + Math.floor(i / COLUMNS) * h, w, h)
  })
}
