/** Analytics API, version 1. */
import * as z from 'zod/mini'

/** GET /analytics/summary response: the tenant's aggregates, kept from events. */
export const Summary = z.object({
  contacts: z.object({ total: z.number() }),
  /** When an event last changed the aggregates; null before the first one. */
  updatedAt: z.nullable(z.string()),
})
export type Summary = z.infer<typeof Summary>
