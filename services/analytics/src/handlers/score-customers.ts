import { ANALYTICS_SOURCE } from '@relay/contracts/analytics-events'
import { newId, nowIso } from '@relay/core/ids'
import { createLogger } from '@relay/core/log'
import { newEvent } from '@relay/core/outbox'
import { scoreTenant } from '../domain/customers.js'
import { type KpiContext, moneyOf } from '../domain/kpis.js'
import {
  dueTenants,
  finishScoring,
  RESCORE_EVERY_MS,
  readCustomers,
  saveScores,
  startScoring,
} from '../store/customers.js'
import { getSettings } from '../store/settings.js'

const logger = createLogger('analytics')

/** Tenants one run scores; the rest are still due and go first next run (oldest due first). */
export const MAX_TENANTS_PER_RUN = 25

/**
 * Schedule `score-customers` (hourly): each tenant with news since its last scoring, or not scored
 * for a day, is rescored as a whole (RFM quintiles and co-occurrence are tenant-wide), and only the
 * contacts whose scores changed are written, with the events the change publishes.
 */
export async function handler(): Promise<{ tenants: number; changed: number; saved: number }> {
  const started = nowIso()
  const due = await dueTenants(started, MAX_TENANTS_PER_RUN)
  let changed = 0
  let saved = 0
  for (const { tenantId, dueAt } of due) {
    const now = new Date()
    await startScoring(tenantId, now.toISOString())
    const [customers, settings] = await Promise.all([readCustomers(tenantId), getSettings(tenantId)])
    const ctx: KpiContext = {
      baseCurrency: settings.baseCurrency,
      rates: settings.rates,
      unconverted: new Set(),
    }
    const changes = scoreTenant([...customers.values()], now, settings.baseCurrency, (amount, currency) => {
      const base = moneyOf({ [`amt_${currency}`]: amount }, 'amt', ctx)
      return ctx.unconverted.has(currency) ? undefined : base
    })
    const correlationId = `score-customers-${newId()}`
    changed += changes.length
    saved += await saveScores(
      tenantId,
      changes.map((c) => ({
        scores: c.scores,
        expectedVersion: c.expectedVersion,
        events: c.events.map((e) =>
          newEvent({
            source: ANALYTICS_SOURCE,
            detailType: e.detailType,
            tenantId,
            data: e.data,
            correlationId,
          }),
        ),
      })),
    )
    await finishScoring(tenantId, dueAt, new Date(now.getTime() + RESCORE_EVERY_MS).toISOString())
    if (ctx.unconverted.size)
      logger.warn('Purchases in currencies without a rate left out of monetary scores', {
        tenantId,
        currencies: [...ctx.unconverted],
      })
  }
  return { tenants: due.length, changed, saved }
}
