/**
 * Early-warning counters and alerts (table `customers`, which has the outbox).
 *
 * | item   | pk                               | sk       | attributes |
 * | ------ | -------------------------------- | -------- | ---------- |
 * | daily  | `T#<t>#DAILY#<counter>#<key>`    | `<day>`  | n (ADD)    |
 * | alert  | `T#<t>#ALERT#<metric>#<key>`     | `<day>`  | the alert  |
 *
 * Counters: `tickets` per category (Ticket.Opened) and `complaints` (`all`, Email.Complained); the
 * emails sent that a complaint rate divides by come from the daily aggregates (`emailsSent`).
 * Both are low-volume events, so a counter item per day needs no sharding.
 *
 * Access patterns:
 * 1. Count one event            Update ADD n 1, in the subscriber's transaction
 * 2. The previous days          Query pk, sk BETWEEN first day AND yesterday (≤ 28 items)
 * 3. Raise an alert once a day  GetItem first (already raised: only count); else Put
 *                               `attribute_not_exists(pk)` + its outbox item with the count. Two
 *                               events crossing at once: one fails the condition, and its retry
 *                               reads the alert and only counts (nothing is lost, nothing doubled)
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { AlertAnomalyDetectedV1 } from '@relay/contracts/analytics-events'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { type DomainEvent, outboxPut } from '@relay/core/outbox'
import type { TransactItem } from '@relay/core/transact-item'
import { type Work, work } from '@relay/core/work'
import { customersTable } from './customers.js'

export type Counter = 'tickets' | 'complaints'

const dailyPk = (tenantId: string, counter: Counter, key: string) =>
  tenantKey(tenantId, 'DAILY', counter, key)

/** Pattern 1. */
export function countItem(tenantId: string, counter: Counter, key: string, day: string): TransactItem {
  return {
    Update: {
      TableName: customersTable(),
      Key: { pk: dailyPk(tenantId, counter, key), sk: day },
      UpdateExpression: 'SET kind = :kind ADD n :one',
      ExpressionAttributeValues: { ':kind': 'daily', ':one': 1 },
    },
  }
}

/** Pattern 2: counts per day from `from` to `to` inclusive (days without any are absent). */
export async function readCounts(
  tenantId: string,
  counter: Counter,
  key: string,
  from: string,
  to: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  const page = await documentClient().send(
    new QueryCommand({
      TableName: customersTable(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': dailyPk(tenantId, counter, key), ':from': from, ':to': to },
    }),
  )
  for (const item of page.Items ?? []) out.set(String(item.sk), Number(item.n ?? 0))
  return out
}

const alertKey = (tenantId: string, metric: string, key: string, day: string) => ({
  pk: tenantKey(tenantId, 'ALERT', metric, key),
  sk: day,
})

/** Pattern 3, the check. */
export async function alertRaised(
  tenantId: string,
  metric: string,
  key: string,
  day: string,
): Promise<boolean> {
  const out = await documentClient().send(
    new GetCommand({
      TableName: customersTable(),
      Key: alertKey(tenantId, metric, key, day),
      ConsistentRead: true,
    }),
  )
  return out.Item !== undefined
}

/** Pattern 3: the alert item and its event. */
export function alertItems(
  tenantId: string,
  alert: AlertAnomalyDetectedV1,
  event: DomainEvent,
): TransactItem[] {
  return [
    {
      Put: {
        TableName: customersTable(),
        Item: { ...alertKey(tenantId, alert.metric, alert.key, alert.day), kind: 'alert', ...alert },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    outboxPut(customersTable(), event),
  ]
}

/** The subscriber's unit of work: the count, and the alert with its event when one is due. */
export function warningWork(
  tenantId: string,
  count: { counter: Counter; key: string; day: string },
  alert?: { alert: AlertAnomalyDetectedV1; event: DomainEvent },
): Work {
  return work(
    countItem(tenantId, count.counter, count.key, count.day),
    ...(alert ? alertItems(tenantId, alert.alert, alert.event) : []),
  )
}
