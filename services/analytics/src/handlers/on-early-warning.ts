import { ALERT_EVENT, type AlertAnomalyDetectedV1, ANALYTICS_SOURCE } from '@relay/contracts/analytics-events'
import { nowIso } from '@relay/core/ids'
import { newEvent } from '@relay/core/outbox'
import { earlyWarning } from '../customer-subscriptions.js'
import { type AnomalyVerdict, assessComplaintRate, assessTickets, BASELINE_DAYS } from '../domain/anomaly.js'
import { addDays, localDay } from '../domain/calendar.js'
import { NONE } from '../domain/cells.js'
import { customerSubscriber } from '../insights-kit.js'
import { readDays } from '../store/aggregates.js'
import { getSettings } from '../store/settings.js'
import { alertRaised, type Counter, readCounts, warningWork } from '../store/warnings.js'

/**
 * Ticket.Opened / Email.Complained → today's count (tenant's day) and, when today is abnormal
 * against the previous days, one `Alert.AnomalyDetected` per metric, key and day. The count read
 * excludes this event, so it is added to today's figure here.
 */
export const handler = customerSubscriber(earlyWarning, async (event) => {
  const { tenantId, occurredAt, correlationId } = event.detail
  const { timeZone } = await getSettings(tenantId)
  const day = localDay(occurredAt, timeZone)
  const from = addDays(day, -BASELINE_DAYS)
  const ticket = event.detailType === 'Ticket.Opened'
  const counter: Counter = ticket ? 'tickets' : 'complaints'
  const key = ticket ? ((event.detail.data as { category?: string }).category ?? NONE) : 'all'
  const counts = await readCounts(tenantId, counter, key, from, day)
  const today = (counts.get(day) ?? 0) + 1
  // The baseline starts at the first day this key was seen: a new category has no norm yet.
  const first = [...counts.keys()].filter((d) => d < day).sort()[0]
  const days: string[] = []
  for (let d = first ?? day; d < day; d = addDays(d, 1)) days.push(d)
  let verdict: AnomalyVerdict
  if (ticket)
    verdict = assessTickets(
      today,
      days.map((d) => counts.get(d) ?? 0),
    )
  else {
    const sent = await readDays(tenantId, 'all', from, day)
    const sentOn = (d: string) => sent.get(d)?.get('_')?.emailsSent ?? 0
    verdict = assessComplaintRate(
      { sent: sentOn(day), complaints: today },
      days.map((d) => ({ sent: sentOn(d), complaints: counts.get(d) ?? 0 })),
    )
  }
  const metric = ticket ? 'tickets_by_category' : 'email_complaint_rate'
  if (!verdict.anomalous || (await alertRaised(tenantId, metric, key, day)))
    return warningWork(tenantId, { counter, key, day })
  const alert: AlertAnomalyDetectedV1 = {
    metric,
    key,
    day,
    value: verdict.value,
    baselineMedian: verdict.baselineMedian,
    // JSON has no Infinity: a perfectly flat norm crossed is reported at a z of 999.
    z: Number.isFinite(verdict.z) ? verdict.z : 999,
    threshold: verdict.threshold,
    detectedAt: nowIso(),
  }
  return warningWork(
    tenantId,
    { counter, key, day },
    {
      alert,
      event: newEvent({
        source: ANALYTICS_SOURCE,
        detailType: ALERT_EVENT.anomalyDetected,
        tenantId,
        data: alert,
        correlationId,
      }),
    },
  )
})
