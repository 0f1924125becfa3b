import { newId, nowIso } from '@relay/core/ids'
import { createLogger } from '@relay/core/log'
import { DUE_SHARDS, type DueClock, dueClocks, type FireOutcome, fireClock, RunCache } from '../store/sla.js'

const logger = createLogger('service-desk')

/** Clocks fired at once per shard (each is a few reads and one transaction). */
const PARALLEL_PER_SHARD = 4
/** Stop taking new clocks this long before the function's time-out; the next run takes the rest. */
const SAFETY_MS = 5_000

/**
 * Schedule `sla-check` (rate 1 minute): every SLA clock whose warning or due time has come gets its
 * `Ticket.SlaWarning` / `Ticket.SlaBreached`, once. The clocks come from the due-time index, shard
 * by shard (≤ 200 each per run, oldest first): the tickets whose time has not come are never read,
 * so a run costs what is due, not what is open. A clock that changed meanwhile (`raced`) stays in
 * the index and is looked at again next minute.
 */
export async function handler(
  _event?: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<Record<FireOutcome | 'due', number>> {
  const now = nowIso()
  const correlationId = `sla-check-${newId()}`
  const counts: Record<FireOutcome | 'due', number> = {
    due: 0,
    warned: 0,
    breached: 0,
    'not-due': 0,
    gone: 0,
    raced: 0,
  }
  const cache = new RunCache()
  const timeLeft = () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY
  await Promise.all(
    Array.from({ length: DUE_SHARDS }, async (_, shard) => {
      const due: DueClock[] = await dueClocks(shard, now)
      counts.due += due.length
      await Promise.all(
        Array.from({ length: PARALLEL_PER_SHARD }, async () => {
          for (let next = due.shift(); next && timeLeft() > SAFETY_MS; next = due.shift()) {
            try {
              counts[await fireClock(next, now, correlationId, cache)]++
            } catch (err) {
              // One clock's fault (a throttled write) must not stop the others: it stays due.
              logger.error('SLA clock failed; it stays due', { ticketId: next.ticketId, error: err as Error })
            }
          }
        }),
      )
    }),
  )
  if (counts.warned || counts.breached || counts.raced) logger.info('SLA check', counts)
  return counts
}
