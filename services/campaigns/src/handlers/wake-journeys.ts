import { nowIso } from '@relay/core/ids'
import { dueWakes, releaseWake, WAKE_SHARDS } from '../store/journeys.js'

/** Wakes one query reads per shard; the shard is read again while it keeps answering full pages. */
const PAGE = 100
/** Stop handing out well before the function's time-out (50 s of its 60). */
const BUDGET_MS = 50_000

/**
 * Schedule `journey-wakes` (rate 1 minute): every journey wait longer than SQS can delay, once
 * due, goes back to the `journey-steps` queue (its leftover seconds as the delay) and leaves the
 * due-time index, in one transaction per wait; an overlapping run takes each wait once.
 */
export async function handler(): Promise<{ released: number }> {
  const started = Date.now()
  let released = 0
  await Promise.all(
    Array.from({ length: WAKE_SHARDS }, async (_, shard) => {
      for (;;) {
        const now = nowIso()
        const due = await dueWakes(shard, now, PAGE)
        for (const wake of due) if (await releaseWake(wake, now)) released++
        if (due.length < PAGE || Date.now() - started > BUDGET_MS) return
      }
    }),
  )
  return { released }
}
