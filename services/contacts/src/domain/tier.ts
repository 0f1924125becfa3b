/**
 * Customer tiers, pure. A: past or repeat buyers. B: subscribers (who asked to hear from us). C:
 * everyone else (web forms, walk-ins). A tier set by hand overrides the computed one.
 */
import type { LifecycleStage, Tier } from '@relay/contracts/contacts'

export interface TierInputs {
  purchaseCount?: number | undefined
  lifecycleStage?: LifecycleStage | undefined
  emailConsent?: string | undefined
}

/**
 * The computed tier.
 *
 * @example
 * computeTier({ purchaseCount: 2 }) // 'A'
 * computeTier({ lifecycleStage: 'subscriber' }) // 'B'
 */
export function computeTier(c: TierInputs): Tier {
  if ((c.purchaseCount ?? 0) > 0 || c.lifecycleStage === 'customer' || c.lifecycleStage === 'evangelist') {
    return 'A'
  }
  if (c.lifecycleStage === 'subscriber' || c.emailConsent === 'granted') return 'B'
  return 'C'
}

/** The tier in force: the override when there is one. */
export function effectiveTier(c: TierInputs & { tierOverride?: Tier | undefined }): Tier {
  return c.tierOverride ?? computeTier(c)
}
