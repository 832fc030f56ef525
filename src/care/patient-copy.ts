// The patient's own copy of their aftercare plans, in their own browser's localStorage: readable again after a
// reload, after the call, without the clinician or any server. Read through the same schema as the wire (what is
// stored may have been edited, or written by an older version): a copy that does not parse is left out, never
// shown half. Pure apart from the Storage it is given.
import * as z from 'zod/mini'
import { aftercarePlanSchema, type ReceivedPlan } from './aftercare'

const STORE_KEY = 'xr-consult:aftercare:v1'
/** Plans kept on one device, the newest: years of follow-ups, a few KB each, far below localStorage's 5 MB. */
export const MAX_COPIES = 50

const copySchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(80)),
  at: z.number(),
  clinicianName: z.string().check(z.minLength(1), z.maxLength(64)),
  plan: aftercarePlanSchema,
  /** The consultation's room id, to show a rejoining patient the plans of that consultation first. */
  roomId: z.string().check(z.maxLength(64)),
  /** ms, when this device received it */
  receivedAt: z.number(),
})
export type PlanCopy = z.infer<typeof copySchema>

/** The copies on this device, newest first; never throws. */
export function loadPlanCopies(storage: Pick<Storage, 'getItem'> | undefined): PlanCopy[] {
  try {
    const raw: unknown = JSON.parse(storage?.getItem(STORE_KEY) ?? '[]')
    if (!Array.isArray(raw)) return []
    return raw
      .flatMap((item) => {
        const parsed = copySchema.safeParse(item)
        return parsed.success ? [parsed.data] : []
      })
      .sort((a, b) => b.at - a.at)
  } catch {
    return []
  }
}

/** Keeps `plan` (once per op id). Returns false if the browser refused to store it (full, or storage off). */
export function savePlanCopy(
  storage: Pick<Storage, 'getItem' | 'setItem'> | undefined,
  plan: ReceivedPlan,
  roomId: string,
  receivedAt: number,
): boolean {
  if (!storage) return false
  const copies = loadPlanCopies(storage).filter((copy) => copy.id !== plan.id || copy.roomId !== roomId)
  copies.unshift({ ...plan, roomId, receivedAt })
  copies.sort((a, b) => b.at - a.at)
  try {
    storage.setItem(STORE_KEY, JSON.stringify(copies.slice(0, MAX_COPIES)))
    return true
  } catch {
    return false
  }
}

/** Removes one copy from this device. */
export function deletePlanCopy(
  storage: Pick<Storage, 'getItem' | 'setItem'> | undefined,
  id: string,
  roomId: string,
) {
  if (!storage) return
  const copies = loadPlanCopies(storage).filter((copy) => copy.id !== id || copy.roomId !== roomId)
  try {
    storage.setItem(STORE_KEY, JSON.stringify(copies))
  } catch {
    // Storage refused: the copy stays, as it was.
  }
}
