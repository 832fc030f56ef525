// Aftercare as a channel of the call: the clinician's plan is a replicated op (exactly once, also to a patient
// who reconnects or joins after it was written), signed like every op; this channel adds the rule that only the
// clinician's credential may author one, under their own name. Everyone holds the plans; the newest is the plan.
import type { Role } from '../room/invite'
import {
  type AftercareOp,
  type AftercarePlan,
  aftercarePlanSchema,
  isEmptyPlan,
  type ReceivedPlan,
} from './aftercare'

export interface AftercareChannelOptions {
  /** Who we are: the author of what we send. */
  self: () => { session: string; name: string; role: Role }
  /** Signs, applies and sends an op we author. */
  publish: (op: AftercareOp) => void
  nextOpId: () => string
  /** Each plan once, when it becomes known here (the patient's page keeps its own copy). */
  onPlan?: (plan: ReceivedPlan) => void
  now?: () => number
}

/** Plans kept per call: a clinician who revises the plan a few times; the newest is the one shown. */
export const MAX_PLANS_KEPT = 20

export function createAftercareChannel(options: AftercareChannelOptions) {
  const now = options.now ?? Date.now
  const plans: ReceivedPlan[] = []
  const listeners = new Set<() => void>()
  return {
    kinds: ['care-plan'] as const,
    /**
     * Only the clinician writes aftercare, and under their own name: a plan from a patient's, a specialist's or a
     * worker's credential is refused like a forged op (the link that carried it ends), whatever it claims.
     */
    validate(op: AftercareOp, author: { name: string; role: Role }): boolean {
      return author.role === 'clinician' && op.clinicianName === author.name
    },
    applyOp(op: AftercareOp) {
      const received: ReceivedPlan = { id: op.id, at: op.at, clinicianName: op.clinicianName, plan: op.plan }
      plans.push(received)
      // The newest by the clinician's clock last, whatever order the ops arrived in.
      plans.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
      if (plans.length > MAX_PLANS_KEPT) plans.splice(0, plans.length - MAX_PLANS_KEPT)
      options.onPlan?.(received)
      for (const listener of listeners) listener()
    },
    /** The plan now (the newest), if any. */
    latest(): ReceivedPlan | undefined {
      return plans.at(-1)
    },
    subscribe(listener: () => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    /**
     * Sends a plan to everyone, now or when they (re)connect. Returns null, or a sentence saying why it was not
     * sent (not the clinician, an empty or malformed plan).
     */
    send(plan: AftercarePlan): string | null {
      const { session, name, role } = options.self()
      if (role !== 'clinician') return 'Only the clinician can send an aftercare plan.'
      if (!session) return 'The plan can be sent once you are in the call.'
      const parsed = aftercarePlanSchema.safeParse(plan)
      if (!parsed.success) return 'The plan has something the form does not allow; check each field.'
      if (isEmptyPlan(parsed.data)) return 'The plan is empty: write at least one instruction.'
      options.publish({
        kind: 'care-plan',
        id: options.nextOpId(),
        author: session,
        at: now(),
        clinicianName: name,
        plan: parsed.data,
      })
      return null
    },
  }
}

export type AftercareChannel = ReturnType<typeof createAftercareChannel>
