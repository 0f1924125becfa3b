/**
 * The tenant's sending settings and the per-second budget that keeps its campaigns under them.
 *
 * | item     | pk                      | sk      | ttl        |
 * | settings | T#t#SETTINGS            | SENDING |            |
 * | budget   | T#t#SENDRATE#<epochSec> | RATE    | 2 min      |
 *
 * Access patterns:
 *  1. Settings                          GetItem (absent: the defaults, version 0)
 *  2. Replace the settings              PutItem on the version read (If-Match)
 *  3. Take k sends of this second       UpdateItem ADD n :k, condition n + k ≤ rate: every worker of
 *     every campaign of the tenant draws from the same second's budget, so together they never
 *     exceed the tenant's rate (SES's own quota is the account's, shared by every tenant)
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb'
import {
  DEFAULT_SEND_RATE,
  type SendingSettings,
  type SendingSettingsView,
} from '@relay/contracts/campaign-sends'
import { documentClient } from '@relay/core/ddb'
import { isConditionalCheckFailed } from '@relay/core/errors'
import { tenantKey } from '@relay/core/keys'
import { transactWithEvents } from '@relay/core/outbox'
import { atVersion, getItem, table } from './table.js'

const settingsKey = (tenantId: string) => ({ pk: tenantKey(tenantId, 'SETTINGS'), sk: 'SENDING' })

/** How long a second's budget item is kept (it is useless once the second is over). */
const BUDGET_TTL_SECONDS = 120

/** Access pattern 1. */
export async function getSendingSettings(tenantId: string): Promise<SendingSettingsView> {
  const item = await getItem<SendingSettingsView>(settingsKey(tenantId))
  return item ?? { ratePerSecond: DEFAULT_SEND_RATE, version: 0 }
}

/** Access pattern 2. */
export async function putSendingSettings(
  tenantId: string,
  input: SendingSettings,
  expectedVersion: number | undefined,
): Promise<SendingSettingsView> {
  const current = await getSendingSettings(tenantId)
  const version = expectedVersion ?? current.version
  const next: SendingSettingsView = { ...input, version: version + 1 }
  await transactWithEvents(
    table(),
    [
      {
        Put: {
          TableName: table(),
          Item: { ...settingsKey(tenantId), kind: 'settings', ...next },
          ...atVersion(version),
        },
      },
    ],
    [],
  )
  return next
}

/**
 * Access pattern 3: takes `k` sends from the current second's budget of `rate`; answers how many it
 * got (k, or 0 when the second is spent: the caller waits for the next one).
 */
export async function takeSendBudget(
  tenantId: string,
  rate: number,
  k: number,
  nowMs = Date.now(),
): Promise<number> {
  const second = Math.floor(nowMs / 1000)
  const want = Math.min(k, rate)
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: tenantKey(tenantId, 'SENDRATE', second), sk: 'RATE' },
        UpdateExpression: 'ADD n :k SET #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(n) OR n <= :room',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':k': want, ':room': rate - want, ':ttl': second + BUDGET_TTL_SECONDS },
      }),
    )
    return want
  } catch (err) {
    if (isConditionalCheckFailed(err)) return 0
    throw err
  }
}
