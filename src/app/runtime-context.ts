// The call the page is in, for the DOM shell's components: given by CallView to everything inside it.
import { createContext, useContext } from 'react'
import type { CallRuntime } from '../call/runtime'

export const RuntimeContext = createContext<CallRuntime | null>(null)

/** The call this component belongs to; only used inside CallView, which always gives one. */
export function useRuntime(): CallRuntime {
  const runtime = useContext(RuntimeContext)
  if (!runtime) throw new Error('useRuntime outside a call view')
  return runtime
}
