/**
 * All DynamoDB access of the analytics service (table `main`).
 *
 * Access patterns:
 * 1. Read a tenant's summary   GetItem pk = T#<t>#SUMMARY, sk = SUMMARY
 * 2. Move the contact count    Update  ADD contactsTotal :delta on the same key, run by the subscriber
 *                              in ONE transaction with its dedupe record, so a redelivered event
 *                              counts once
 * (The subscriber's dedupe records live here too: pk = T#<t>#EVT#<event id>, sk = EVT, with a TTL.)
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import type { Summary } from '@relay/contracts/analytics'
import { documentClient, tableName } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { type Work, work } from '@relay/core/work'
import { toSummary } from '../domain/summary.js'

const table = () => tableName('analytics', 'main')

/** Key of a tenant's summary record. */
export function summaryKey(tenantId: string): { pk: string; sk: string } {
  return { pk: tenantKey(tenantId, 'SUMMARY'), sk: 'SUMMARY' }
}

/** Access pattern 1. */
export async function getSummary(tenantId: string): Promise<Summary> {
  const out = await documentClient().send(new GetCommand({ TableName: table(), Key: summaryKey(tenantId) }))
  return toSummary(out.Item)
}

/** Access pattern 2: the unit of work that adds `delta` to the tenant's contact count. */
export function countContactsWork(tenantId: string, delta: number, now: string): Work {
  return work({
    Update: {
      TableName: table(),
      Key: summaryKey(tenantId),
      UpdateExpression: 'ADD contactsTotal :delta SET updatedAt = :now',
      ExpressionAttributeValues: { ':delta': delta, ':now': now },
    },
  })
}
