// @ts-check
// When `npm start` restarts a server process that stopped unexpectedly. Pure: the caller passes the time.

/**
 * @typedef {object} RestartPolicy
 * @property {number} firstDelayMs wait before the first restart; each further crash in the window doubles it
 * @property {number} maxDelayMs the longest wait
 * @property {number} maxCrashes this many crashes within `windowMs` and it gives up
 * @property {number} windowMs
 */

/** @type {Readonly<RestartPolicy>} */
export const DEFAULT_RESTART_POLICY = Object.freeze({
  // Clients re-register 0.5, 1, 2 and 4 s after losing the server, then every 5 s: a restart within half a second
  // keeps a crash almost unnoticed, and is still not a busy loop when the crash repeats at once.
  firstDelayMs: 500,
  maxDelayMs: 8000,
  // A crash that comes back five times in a minute is not bad luck but a fault that restarting will not fix:
  // better to stop and say so than to restart it forever. (The delays add up to 7.5 s by the fifth.)
  maxCrashes: 5,
  windowMs: 60_000,
})

/**
 * @param {RestartPolicy} [policy]
 */
export function createRestartPolicy(policy = DEFAULT_RESTART_POLICY) {
  /** @type {number[]} */
  let crashes = []
  return {
    /**
     * Records a crash at `now`; returns how long to wait before restarting, or null to give up.
     * @param {number} now ms
     * @returns {number | null}
     */
    afterCrash(now) {
      crashes = [...crashes.filter((at) => now - at < policy.windowMs), now]
      if (crashes.length >= policy.maxCrashes) return null
      return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (crashes.length - 1))
    },
  }
}
