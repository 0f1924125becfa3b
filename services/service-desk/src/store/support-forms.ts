/**
 * Public support forms, their public refs and rate windows.
 *
 * | item      | pk / sk                                      | indexes / holds                              |
 * | --------- | -------------------------------------------- | -------------------------------------------- |
 * | form      | `T#<t>#SUPPORTFORM#<id>` / `SUPPORTFORM`      | gsi1 `T#<t>#SUPPORTFORMS` / id               |
 * | form ref  | `SUPPORTFORMREF#<id>` / `REF`                 | `{ tenantId }`: the public endpoint's way in |
 * | rate      | `T#<t>#SUPPORTRATE#<id>#<minute>` / `RATE`    | counter `n`; ttl two minutes after its window |
 *
 * Access patterns:
 *  F1. A form by id: GetItem (consistent). F2. List: Query gsi1, newest first.
 *  F3. Create: form + ref in one transaction (the request's idempotency claim commits with them).
 *  F4. A form by id alone (public submission): GetItem of its ref → tenant, then F1. The one key of
 *      the service that does not start with the tenant: a public submission carries no token, so the
 *      tenant can only come from the form; the ref holds nothing but the tenant id, the `x-form-key`
 *      is checked against the tenant's form item, and form ids are 80-bit-random ULIDs.
 *  F5. Rate limit: UpdateItem ADD n on the minute's counter, on condition n < limit (fixed window).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { SupportForm } from '@relay/contracts/service-desk-intake'
import { documentClient, queryPage, takeMinuteSlot } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { transactWithEvents } from '@relay/core/outbox'
import { type Item, type Key, table } from './table.js'

const formKey = (tenantId: string, id: string): Key => ({
  pk: tenantKey(tenantId, 'SUPPORTFORM', id),
  sk: 'SUPPORTFORM',
})
const refKey = (id: string): Key => ({ pk: `SUPPORTFORMREF#${id}`, sk: 'REF' })

function formOf(item: Item): SupportForm {
  const { pk: _pk, sk: _sk, kind: _kind, gsi1pk: _g, gsi1sk: _s, ...form } = item
  return form as SupportForm
}

/** F1. */
export async function getSupportForm(tenantId: string, id: string): Promise<SupportForm | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: formKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? formOf(out.Item) : undefined
}

/** F2. */
export async function listSupportForms(
  tenantId: string,
  q: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<SupportForm>> {
  const result = await queryPage(
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'SUPPORTFORMS') },
      ScanIndexForward: false,
    },
    {
      tenantId,
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    },
  )
  return { items: result.items.map(formOf), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) }
}

/** F3. */
export async function insertSupportForm(tenantId: string, form: SupportForm): Promise<void> {
  await transactWithEvents(
    table(),
    [
      {
        Put: {
          TableName: table(),
          Item: {
            ...formKey(tenantId, form.id),
            kind: 'support-form',
            gsi1pk: tenantKey(tenantId, 'SUPPORTFORMS'),
            gsi1sk: form.id,
            ...form,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: table(),
          Item: { ...refKey(form.id), kind: 'support-form-ref', tenantId },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
    [],
  )
}

/** F4: the tenant a form belongs to, by the form id alone. */
export async function tenantOfSupportForm(formId: string): Promise<string | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: refKey(formId), ConsistentRead: true }),
  )
  const tenantId = out.Item?.tenantId
  return typeof tenantId === 'string' && tenantId ? tenantId : undefined
}

/** F5: counts one submission in the form's one-minute window; false when the window is full. */
export async function takeSupportSlot(
  tenantId: string,
  formId: string,
  nowMs: number,
  limit: number,
): Promise<boolean> {
  return takeMinuteSlot(table(), tenantKey(tenantId, 'SUPPORTRATE', formId), nowMs, limit)
}
