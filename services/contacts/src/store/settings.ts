/**
 * The tenant's contact settings: `T#<t>#SETTINGS` / `CONTACT_FIELDS` (custom field definitions,
 * default phone region, version).
 *
 * Access patterns:
 * 11. Read: GetItem (consistent; version 0 before the first PUT). Replace: Put at the version read
 *     (attribute_not_exists for the first).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { ContactFieldDef, ContactFields } from '@relay/contracts/contacts'
import { documentClient, isConditionalCheckFailed } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { StaleVersion } from '@relay/core/outcomes'
import { table } from './table.js'

const settingsKey = (tenantId: string) => ({ pk: tenantKey(tenantId, 'SETTINGS'), sk: 'CONTACT_FIELDS' })

/** Pattern 11: the tenant's custom field definitions and default region (version 0 before the first PUT). */
export async function getContactFields(tenantId: string): Promise<ContactFields> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: settingsKey(tenantId), ConsistentRead: true }),
  )
  if (!out.Item) return { fields: [], version: 0 }
  const { pk: _p, sk: _s, kind: _k, ...settings } = out.Item
  return settings as ContactFields
}

/** Pattern 11: replaces the settings if still at `expectedVersion` (0: none yet), else `StaleVersion`. */
export async function putContactFields(
  tenantId: string,
  settings: {
    fields: ContactFieldDef[]
    defaultRegion?: string | undefined
    version: number
    updatedAt: string
  },
  expectedVersion: number,
): Promise<void> {
  const put = new PutCommand({
    TableName: table(),
    Item: { ...settingsKey(tenantId), kind: 'settings', ...settings },
    ...(expectedVersion === 0
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : {
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
  })
  try {
    await documentClient().send(put)
  } catch (err) {
    if (isConditionalCheckFailed(err))
      throw new StaleVersion('The settings changed meanwhile; read them again and retry.')
    throw err
  }
}
