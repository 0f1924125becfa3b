/**
 * Web-to-lead forms, their public refs and rate windows (table `main`).
 *
 * | item      | pk                             | sk      | indexes |
 * | form      | T#t#FORM#<id>                  | FORM    | gsi1: T#t#FORMS / T#t#FORM#<id> |
 * | form ref  | FORMREF#<formId>               | FORMREF | – { tenantId }: the public endpoint's way in |
 * | form rate | T#t#FORMRATE#<formId>#<minute> | RATE    | – counter `n`, ttl 2 minutes after its window |
 *
 * Access patterns:
 *  1. A form by id                          GetItem (consistent)
 *  2. List a tenant's forms, newest first   Query gsi1 (pk T#t#FORMS)
 *  3. Create / delete a form                TransactWriteItems: form + form ref together
 *  4. A form by id alone (public capture)   GetItem FORMREF#<formId> → tenantId, then pattern 1. The one key
 *     here that does not start with the tenant: a public submission carries no token, so the tenant can
 *     only come from the form; the ref holds nothing but the tenant id, the x-form-key is checked
 *     against the tenant's form item, and ids are 80-bit-random ULIDs.
 *  5. Per-form rate limit                   UpdateItem ADD n on the minute's counter, condition n < limit
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Form } from '@relay/contracts/leads'
import { documentClient, takeMinuteSlot } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { atVersion, commit, getItem, type PageQuery, page, table } from './table.js'

const formKey = (tenantId: string, id: string) => ({ pk: tenantKey(tenantId, 'FORM', id), sk: 'FORM' })
const formRefKey = (formId: string) => ({ pk: `FORMREF#${formId}`, sk: 'FORMREF' })

/** Access pattern 1. */
export const getForm = (tenantId: string, id: string) => getItem<Form>(formKey(tenantId, id))

/** Access pattern 2. */
export function listForms(tenantId: string, q: PageQuery): Promise<Page<Form>> {
  return page<Form>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'FORMS') },
      ScanIndexForward: false,
    },
    q,
  )
}

/**
 * Access pattern 3: a new form and its public ref, together (in the POST's transaction, so its
 * idempotency claim commits with them).
 */
export async function createForm(tenantId: string, form: Form): Promise<void> {
  const item = {
    ...formKey(tenantId, form.id),
    gsi1pk: tenantKey(tenantId, 'FORMS'),
    gsi1sk: tenantKey(tenantId, 'FORM', form.id),
    kind: 'form',
    ...form,
  }
  await commit(tenantId, '', [
    { Put: { TableName: table(), Item: item, ...atVersion(0) } },
    {
      Put: {
        TableName: table(),
        Item: { ...formRefKey(form.id), kind: 'formref', tenantId },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ])
}

/** Access pattern 3: deletes a form still at `expectedVersion` and its ref (submissions then 404). */
export async function deleteForm(tenantId: string, id: string, expectedVersion: number): Promise<void> {
  await commit(tenantId, '', [
    { Delete: { TableName: table(), Key: formKey(tenantId, id), ...atVersion(expectedVersion) } },
    { Delete: { TableName: table(), Key: formRefKey(id) } },
  ])
}

/** Access pattern 4: the tenant a form belongs to, found by the form id alone (public capture). */
export async function tenantOfForm(formId: string): Promise<string | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: formRefKey(formId), ConsistentRead: true }),
  )
  const tenantId = out.Item?.tenantId
  return typeof tenantId === 'string' && tenantId ? tenantId : undefined
}

/**
 * Access pattern 5: counts one submission in the form's fixed one-minute window; false when the
 * window already holds `limit` (nothing counted). The counter item expires after its window.
 */
export async function takeFormSlot(
  tenantId: string,
  formId: string,
  nowMs: number,
  limit: number,
): Promise<boolean> {
  return takeMinuteSlot(table(), tenantKey(tenantId, 'FORMRATE', formId), nowMs, limit)
}
