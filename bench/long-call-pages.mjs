// @ts-check
// What bench/long-call.mjs puts into and reads from its pages: an init script that counts what a page holds
// (RTCPeerConnections not closed, event listeners, pending timers) before the app's own code runs, a main-thread
// lag probe, and the readings taken through the DevTools protocol (heap after a full GC, DOM counters). Every
// function passed to a page runs there: nothing from this module's scope.

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').CDPSession} CDPSession */

/**
 * @typedef {{
 *   webgl: { made: number, held: number, live: number },
 *   connections: { made: number, open: number },
 *   listeners: { total: number, byTarget: Record<string, number>, byStack: Record<string, number> },
 *   timeouts: number,
 *   intervals: { count: number, stacks: string[] },
 * }} Holdings
 */

/**
 * Runs in every page before the app (BrowserContext.addInitScript). Wraps RTCPeerConnection to keep a list of every
 * connection made, EventTarget's add/removeEventListener to know which listeners are attached, and the timer
 * functions to know which timers are pending. Only counts: every call goes through to the browser unchanged.
 */
export function instrumentPage(options = { stacks: false }) {
  const w = /** @type {any} */ (window)
  if (w.__longCall) return
  const options_ = options
  // Timers of our own, untouched by the wrappers below, so the probes do not count themselves.
  const nativeSetTimeout = window.setTimeout.bind(window)

  /** @type {WeakRef<RTCPeerConnection>[]} WeakRef: a connection the page let go of is collected, not leaked */
  const connections = []
  const NativeConnection = window.RTCPeerConnection
  if (NativeConnection) {
    class CountedConnection extends NativeConnection {
      /** @param {RTCConfiguration} [configuration] */
      constructor(configuration) {
        super(configuration)
        connections.push(new WeakRef(this))
      }
    }
    window.RTCPeerConnection = CountedConnection
  }

  /** @type {WeakRef<WebGLRenderingContext | WebGL2RenderingContext>[]} every WebGL context a canvas gave out */
  const glContexts = []
  /** @type {any} */
  const canvasProto = HTMLCanvasElement.prototype
  const nativeGetContext = canvasProto.getContext
  canvasProto.getContext = function (/** @type {string} */ kind, /** @type {any} */ attributes) {
    const context = nativeGetContext.call(this, kind, attributes)
    if (context && /webgl/.test(kind) && !glContexts.some((ref) => ref.deref() === context))
      glContexts.push(new WeakRef(context))
    return context
  }

  /** @type {Set<WeakRef<EventTarget>>} */
  const targets = new Set()
  /** @type {WeakMap<EventTarget, Map<string, Set<unknown>>>} listeners by "type|capture" per target */
  const byTarget = new WeakMap()
  /** @type {WeakMap<object, string>} where each listener was added (with `stacks`: costly, for finding leaks) */
  const addedAt = new WeakMap()
  const proto = EventTarget.prototype
  const nativeAdd = proto.addEventListener
  const nativeRemove = proto.removeEventListener
  /** @param {unknown} options */
  const captureOf = (options) =>
    typeof options === 'boolean' ? options : Boolean(options && /** @type {any} */ (options).capture)
  proto.addEventListener = function (type, listener, options) {
    nativeAdd.call(this, type, listener, options)
    // A `once` listener removes itself when it fires: counting it would call every one-shot wait a leak.
    if (!listener || (typeof options === 'object' && options?.once)) return
    let map = byTarget.get(this)
    if (!map) {
      map = new Map()
      byTarget.set(this, map)
      targets.add(new WeakRef(this))
    }
    const key = `${type}|${captureOf(options)}`
    let set = map.get(key)
    if (!set) {
      set = new Set()
      map.set(key, set)
    }
    const listeners = set
    listeners.add(listener)
    if (options_.stacks)
      addedAt.set(listener, `${type} ${(new Error().stack ?? '').split('\n').slice(2, 4).join(' < ')}`)
    const signal = typeof options === 'object' ? options?.signal : undefined
    if (signal) nativeAdd.call(signal, 'abort', () => listeners.delete(listener), { once: true })
  }
  proto.removeEventListener = function (type, listener, options) {
    nativeRemove.call(this, type, listener, options)
    byTarget
      .get(this)
      ?.get(`${type}|${captureOf(options)}`)
      ?.delete(listener)
  }

  /** @type {Set<unknown>} */
  const timeouts = new Set()
  /** @type {Map<unknown, string>} interval id → where it was started */
  const intervals = new Map()
  const nativeClearTimeout = window.clearTimeout.bind(window)
  const nativeSetInterval = window.setInterval.bind(window)
  const nativeClearInterval = window.clearInterval.bind(window)
  /** @type {any} */
  const timerWindow = window
  timerWindow.setTimeout = (
    /** @type {any} */ handler,
    /** @type {any} */ ms,
    /** @type {any[]} */ ...args
  ) => {
    if (typeof handler !== 'function') return nativeSetTimeout(handler, ms, ...args)
    /** @type {unknown} */
    let id
    id = nativeSetTimeout(
      (/** @type {any[]} */ ...given) => {
        timeouts.delete(id)
        handler(...given)
      },
      ms,
      ...args,
    )
    timeouts.add(id)
    return id
  }
  timerWindow.setInterval = (
    /** @type {any} */ handler,
    /** @type {any} */ ms,
    /** @type {any[]} */ ...args
  ) => {
    const id = nativeSetInterval(handler, ms, ...args)
    // The first lines below this wrapper: where the app started it (minified, but enough to find).
    intervals.set(id, (new Error().stack ?? '').split('\n').slice(2, 5).join(' | '))
    return id
  }
  const clear = (/** @type {unknown} */ id) => {
    timeouts.delete(id)
    intervals.delete(id)
  }
  timerWindow.clearTimeout = (/** @type {any} */ id) => {
    clear(id)
    nativeClearTimeout(id)
  }
  timerWindow.clearInterval = (/** @type {any} */ id) => {
    clear(id)
    nativeClearInterval(id)
  }

  /** @type {number[]} */
  let lags = []
  let lagRunning = false
  w.__longCall = {
    /** @returns {Holdings} */
    holdings() {
      let open = 0
      for (const ref of connections) {
        const connection = ref.deref()
        if (connection && connection.connectionState !== 'closed' && connection.signalingState !== 'closed')
          open++
      }
      let total = 0
      /** @type {Record<string, number>} */
      const byKind = {}
      /** @type {Record<string, number>} where the listeners were added, with `stacks` */
      const byStack = {}
      for (const ref of targets) {
        const target = ref.deref()
        if (!target) {
          targets.delete(ref)
          continue
        }
        let count = 0
        for (const set of byTarget.get(target)?.values() ?? []) {
          count += set.size
          if (options_.stacks)
            for (const listener of set) {
              const where = `${target.constructor.name} ${addedAt.get(/** @type {object} */ (listener)) ?? '?'}`
              byStack[where] = (byStack[where] ?? 0) + 1
            }
        }
        if (count === 0) continue
        total += count
        const kind = target === window ? 'Window' : target === document ? 'Document' : target.constructor.name
        byKind[kind] = (byKind[kind] ?? 0) + count
      }
      let contextsLive = 0
      let contextsHeld = 0
      for (const ref of glContexts) {
        const context = ref.deref()
        if (!context) continue
        contextsHeld++
        if (!context.isContextLost()) contextsLive++
      }
      return {
        webgl: { made: glContexts.length, held: contextsHeld, live: contextsLive },
        connections: { made: connections.length, open },
        listeners: { total, byTarget: byKind, byStack },
        timeouts: timeouts.size,
        intervals: { count: intervals.size, stacks: [...intervals.values()] },
      }
    },
    /**
     * Main-thread lag: a timer asks for 50 ms and notes how much later than that it ran (a page that renders is
     * never idle, so a baseline from the same page in the same run is what the lag is compared with).
     */
    startLag() {
      if (lagRunning) return
      lagRunning = true
      let last = performance.now()
      const tick = () => {
        if (!lagRunning) return
        const now = performance.now()
        lags.push(Math.max(0, now - last - 50))
        last = now
        nativeSetTimeout(tick, 50)
      }
      nativeSetTimeout(tick, 50)
    },
    /** The lags noted since the last call, ms. */
    takeLags() {
      const taken = lags
      lags = []
      return taken
    },
    stopLag() {
      lagRunning = false
    },
  }
}

/** What `instrumentPage` counted in `page`. @param {Page} page @returns {Promise<Holdings>} */
export function holdings(page) {
  return page.evaluate(() => /** @type {any} */ (window).__longCall.holdings())
}

/** A DevTools session per page, opened once. @type {WeakMap<Page, CDPSession>} */
const sessions = new WeakMap()

/** @param {Page} page */
async function devtools(page) {
  let session = sessions.get(page)
  if (!session) {
    session = await page.context().newCDPSession(page)
    sessions.set(page, session)
  }
  return session
}

/**
 * The page's JS heap after a full garbage collection, and the renderer's DOM counters (documents, nodes, JS event
 * listeners as Blink counts them, which includes `on…` handlers the init script cannot see).
 * @param {Page} page
 */
export async function memory(page) {
  const session = await devtools(page)
  // Twice: the first collection runs finalizers and frees WeakRef targets that the second then reclaims.
  await session.send('HeapProfiler.collectGarbage')
  await session.send('HeapProfiler.collectGarbage')
  const heap = await session.send('Runtime.getHeapUsage')
  const dom = await session.send('Memory.getDOMCounters')
  return {
    heapBytes: heap.usedSize,
    documents: dom.documents,
    nodes: dom.nodes,
    jsEventListeners: dom.jsEventListeners,
  }
}

/** What the renderer holds (three's renderer.info), or null while no scene is mounted. @param {Page} page */
export function rendererInfo(page) {
  return page.evaluate(() => window.__xrConsult?.renderer() ?? null)
}
