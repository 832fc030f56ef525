// A trigger pull or pinch the browser saw down for at most a few XR frames is a click, however long they took.
//
// @react-three/xr's pointers count a press as a click when selectend follows selectstart within clickThresholdMs.
// But the browser samples the controller once a frame and dispatches both events at frame starts: on a headset
// that drops frames (or any machine rendering in software) a quick pull spans one or two long frames, and the gap
// between the events is their length, not the user's press. A press released within CLICK_FRAMES frames is given
// the start's timestamp and counts; at a headset's 72-120 Hz that is under 45 ms, far shorter than any deliberate
// hold, which is still timed as before (a hold is not a click).

/** A press released within this many XR frames of its start is a click, whatever the clock says. */
export const CLICK_FRAMES = 3

interface PressStart {
  timeStamp: number
  frame: number
}

/** Minimal view of an XRSession: events and its own animation frames. */
export interface FrameSession {
  addEventListener(type: string, listener: (event: Event) => void, options?: AddEventListenerOptions): void
  removeEventListener(type: string, listener: (event: Event) => void, options?: EventListenerOptions): void
  requestAnimationFrame(callback: () => void): number
  cancelAnimationFrame(handle: number): void
}

/**
 * Installs the rule on a session; returns what removes it. Its listeners are added as capture listeners so they run
 * before the pointers' own (at the target, capture listeners run first), and before any added later.
 */
export function countShortPressesByFrames(session: FrameSession): () => void {
  let frame = 0
  let handle = session.requestAnimationFrame(function tick() {
    frame++
    handle = session.requestAnimationFrame(tick)
  })
  const starts = new Map<unknown, PressStart>()
  const onStart = (event: Event) => {
    starts.set(inputSourceOf(event), { timeStamp: event.timeStamp, frame })
  }
  const onEnd = (event: Event) => {
    const source = inputSourceOf(event)
    const start = starts.get(source)
    starts.delete(source)
    // Events come before their frame's callbacks: n frame callbacks between them means a press of n frames.
    if (!start || frame - start.frame > CLICK_FRAMES) return
    Object.defineProperty(event, 'timeStamp', { value: start.timeStamp, configurable: true })
  }
  const capture = { capture: true }
  session.addEventListener('selectstart', onStart, capture)
  session.addEventListener('selectend', onEnd, capture)
  return () => {
    session.cancelAnimationFrame(handle)
    session.removeEventListener('selectstart', onStart, capture)
    session.removeEventListener('selectend', onEnd, capture)
    starts.clear()
  }
}

function inputSourceOf(event: Event): unknown {
  return (event as Event & { inputSource?: unknown }).inputSource
}
