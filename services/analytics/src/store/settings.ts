/**
 * The tenant's reporting settings (table `main`).
 *
 * | item     | pk               | sk         |
 * | -------- | ---------------- | ---------- |
 * | settings | `T#<t>#SETTINGS` | `SETTINGS` |
 *
 * Access patterns:
 * 1. Read (every ingested event reads the zone; the dashboard reads zone and rates)   GetItem
 * 2. Replace   Put, `attribute_not_exists(pk)` on the first save, else `version` = the version read
 * Before the first save: UTC, USD, no rates, version 0.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { AnalyticsSettings } from '@relay/contracts/analytics'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { table } from './table.js'

const key = (tenantId: string) => ({ pk: tenantKey(tenantId, 'SETTINGS'), sk: 'SETTINGS' })

export const DEFAULT_SETTINGS: AnalyticsSettings = {
  timeZone: 'UTC',
  baseCurrency: 'USD',
  rates: [],
  version: 0,
}

/** Pattern 1. */
export async function getSettings(tenantId: string): Promise<AnalyticsSettings> {
  const res = await documentClient().send(
    new GetCommand({ TableName: table(), Key: key(tenantId), ConsistentRead: true }),
  )
  if (!res.Item) return DEFAULT_SETTINGS
  const { timeZone, baseCurrency, rates, version, updatedAt } = res.Item
  return { timeZone, baseCurrency, rates, version, ...(updatedAt ? { updatedAt } : {}) } as AnalyticsSettings
}

/** Pattern 2. */
export async function putSettings(
  tenantId: string,
  next: AnalyticsSettings,
  expectedVersion: number,
): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: { ...key(tenantId), kind: 'settings', ...next },
      ...(expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          }),
    }),
  )
}
