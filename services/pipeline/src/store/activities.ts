/**
 * Activities and their reminders (table `main`).
 *
 * | item     | pk                | sk       | indexes |
 * | activity | T#t#ACTIVITY#<id> | ACTIVITY | gsi1: T#t#ACTIVITIES#OWNER#<o>#<status> / T#t#DUE#<dueAt|NONE>#ACT#<id> |
 * |          |                   |          | gsi2: T#t#ACTIVITIES#<relatedType>#<relatedId> / T#t#ACT#<id> |
 * |          |                   |          | gsi4 (sparse, only while a reminder waits): REMINDERS#<day> / <reminderAt>#T#t#ACT#<id> |
 *
 * Access patterns:
 *  1. An activity by id                          GetItem (consistent: its version feeds If-Match)
 *  2. An owner's open activities by due time     Query gsi1 (sk BETWEEN / < due times: today, overdue)
 *  3. A record's activities, newest first        Query gsi2
 *  4. Create / update / delete                   TransactWriteItems: the activity (conditioned) + outbox events;
 *                                                automation follow-ups ride on a deal's transaction
 *  5. Reminders due (schedule, all tenants)      Query gsi4 per UTC day bucket, sk <= now. The one key that
 *     does not start with the tenant: the scheduler serves every tenant, so its index cannot be
 *     tenant-partitioned; no request path reads it, and the item it finds carries its tenant in pk.
 *  6. A contact's activities (Contact.Merged / Erased)  Query gsi2 (pk ACTIVITIES#contact#<id>), every page
 *  7. A deal's activities (insight features)     Query gsi2 (pk ACTIVITIES#deal#<id>), every page, ≤ 500
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { Activity, ListActivitiesQuery } from '@relay/contracts/activities'
import type { Page } from '@relay/contracts/common'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/outbox'
import { awaitsReminder } from '../domain/activity.js'
import type { EventSpec } from '../domain/events.js'
import { atVersion, commit, fromItem, getItem, page, queryAll, table } from './table.js'

const activityKey = (tenantId: string, id: string) => ({
  pk: tenantKey(tenantId, 'ACTIVITY', id),
  sk: 'ACTIVITY',
})

function activityItem(tenantId: string, a: Activity): Record<string, unknown> {
  return {
    ...activityKey(tenantId, a.id),
    gsi1pk: tenantKey(tenantId, 'ACTIVITIES', 'OWNER', a.ownerId, a.status),
    gsi1sk: tenantKey(tenantId, 'DUE', a.dueAt ?? 'NONE', 'ACT', a.id),
    gsi2pk: tenantKey(tenantId, 'ACTIVITIES', a.relatedTo.type, a.relatedTo.id),
    gsi2sk: tenantKey(tenantId, 'ACT', a.id),
    ...(awaitsReminder(a)
      ? {
          gsi4pk: `REMINDERS#${a.reminderAt!.slice(0, 10)}`,
          gsi4sk: `${a.reminderAt}#${tenantKey(tenantId, 'ACT', a.id)}`,
        }
      : {}),
    kind: 'activity',
    ...a,
  }
}

/** Access pattern 1. */
export const getActivity = (tenantId: string, id: string) => getItem<Activity>(activityKey(tenantId, id))

/** Access patterns 2 and 3. `now` bounds the today/overdue views. */
export function listActivities(
  tenantId: string,
  q: ListActivitiesQuery & { owner: string },
  bounds: { start: string; end: string; now: string },
): Promise<Page<Activity>> {
  const { limit, cursor } = q
  if (q.relatedType && q.relatedId) {
    return page<Activity>(
      tenantId,
      {
        TableName: table(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'ACTIVITIES', q.relatedType, q.relatedId) },
        ScanIndexForward: false,
      },
      { limit, cursor },
    )
  }
  const values: Record<string, unknown> = {
    ':pk': tenantKey(tenantId, 'ACTIVITIES', 'OWNER', q.owner, 'open'),
  }
  let condition = 'gsi1pk = :pk'
  if (q.view === 'today') {
    values[':from'] = tenantKey(tenantId, 'DUE', bounds.start)
    values[':to'] = tenantKey(tenantId, 'DUE', bounds.end)
    condition += ' AND gsi1sk BETWEEN :from AND :to'
  } else if (q.view === 'overdue') {
    values[':now'] = tenantKey(tenantId, 'DUE', bounds.now)
    condition += ' AND gsi1sk < :now'
  }
  return page<Activity>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: condition,
      ExpressionAttributeValues: values,
    },
    { limit, cursor },
  )
}

/** Access pattern 4: the Put of an activity at `expectedVersion` (0 = new), for a transaction. */
export function activityPut(tenantId: string, activity: Activity, expectedVersion = 0): TransactItem {
  return {
    Put: { TableName: table(), Item: activityItem(tenantId, activity), ...atVersion(expectedVersion) },
  }
}

/** Access pattern 4: an activity at `expectedVersion` (0 = new) with its events, in one transaction. */
export async function saveActivity(
  tenantId: string,
  activity: Activity,
  expectedVersion: number,
  specs: readonly EventSpec[],
  correlationId: string,
): Promise<void> {
  await commit(tenantId, correlationId, [activityPut(tenantId, activity, expectedVersion)], specs)
}

/** Access pattern 4: deletes an activity still at `expectedVersion`. */
export async function removeActivity(
  tenantId: string,
  id: string,
  expectedVersion: number,
  correlationId: string,
): Promise<void> {
  await commit(tenantId, correlationId, [
    { Delete: { TableName: table(), Key: activityKey(tenantId, id), ...atVersion(expectedVersion) } },
  ])
}

/** An activity found by the reminder schedule, with its tenant. */
export interface DueReminder {
  tenantId: string
  activity: Activity
}

/** Access pattern 5: reminders due at `now` in the given UTC day buckets, oldest first, at most `max`. */
export async function dueReminders(
  days: readonly string[],
  now: string,
  max: number,
): Promise<DueReminder[]> {
  const out: DueReminder[] = []
  for (const day of days) {
    let start: Record<string, unknown> | undefined
    do {
      const res = await documentClient().send(
        new QueryCommand({
          TableName: table(),
          IndexName: 'gsi4',
          KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk <= :now',
          ExpressionAttributeValues: { ':pk': `REMINDERS#${day}`, ':now': `${now}#~` },
          Limit: max,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )
      for (const item of res.Items ?? []) {
        const tenantId = String(item.pk).split('#')[1] ?? ''
        out.push({ tenantId, activity: fromItem<Activity>(item) })
      }
      start = res.LastEvaluatedKey
    } while (start && out.length < max)
    if (out.length >= max) break
  }
  return out.slice(0, max)
}

const relatedQuery = (tenantId: string, type: string, id: string) => ({
  TableName: table(),
  IndexName: 'gsi2',
  KeyConditionExpression: 'gsi2pk = :pk',
  ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'ACTIVITIES', type, id) },
})

/** Access pattern 6: the activities related to a contact. */
export async function activitiesOfContact(tenantId: string, contactId: string): Promise<Activity[]> {
  const { items } = await queryAll(relatedQuery(tenantId, 'contact', contactId))
  return items.map((i) => fromItem<Activity>(i))
}

/** Access pattern 7: the activities of a deal (at most 500). */
export async function activitiesOfDeal(tenantId: string, dealId: string): Promise<Activity[]> {
  const { items } = await queryAll(relatedQuery(tenantId, 'deal', dealId), 500)
  return items.map((i) => fromItem<Activity>(i))
}
