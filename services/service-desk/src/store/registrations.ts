/**
 * Product registrations (warranties): `T#<t>#REG#<id>` / `REG`.
 *
 * | index | partition                               | sort  | lists                          |
 * | ----- | --------------------------------------- | ----- | ------------------------------ |
 * | gsi1  | `T#<t>#REGS`                            | id    | every registration, newest first |
 * | gsi2  | `T#<t>#REGS#SERIAL#<folded serial>` | id | one unit's registrations (resold units are registered again) |
 * | gsi5  | `T#<t>#REGS#CONTACT#<contactId>`        | id    | a contact's registrations      |
 *
 * Access patterns:
 *  G1. By id: GetItem (consistent).
 *  G2. List all / by contact / by serial: Query gsi1 / gsi5 / gsi2, newest first.
 *  G3. Create: Put (attribute_not_exists); update: Put at the version read.
 *  G4. Coverage on a ticket: Query gsi5 of the requester's contact (at most {@link COVERAGE_MAX}).
 *  G5. Contact merged: every registration of the absorbed contact re-pointed; erased: its notes and
 *      serial numbers dropped (product and dates stay for the counts). Direct writes one by one: a
 *      contact may hold more registrations than a transaction, and a redelivery does it again.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Coverage, Registration } from '@relay/contracts/service-desk-field'
import { documentClient, isConditionalCheckFailed, queryPage } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { NotFound, StaleVersion } from '@relay/core/outcomes'
import { coverageOn, foldSerial } from '../domain/registration.js'
import { eraseCustomerItems, repointCustomerItems } from './customer-records.js'
import { type Item, type Key, table } from './table.js'

/** Registrations read for a ticket's coverage: a household's appliances, not a fleet. */
export const COVERAGE_MAX = 50

export const registrationKey = (tenantId: string, id: string): Key => ({
  pk: tenantKey(tenantId, 'REG', id),
  sk: 'REG',
})

const gsi = {
  all: (t: string) => tenantKey(t, 'REGS'),
  contact: (t: string, c: string) => tenantKey(t, 'REGS', 'CONTACT', c),
  serial: (t: string, serial: string) => tenantKey(t, 'REGS', 'SERIAL', foldSerial(serial)),
}

const INDEX = ['pk', 'sk', 'kind', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi5pk', 'gsi5sk']

function registrationOf(item: Item): Registration {
  const r: Item = { ...item }
  for (const a of INDEX) delete r[a]
  return r as Registration
}

function registrationItem(tenantId: string, r: Registration): Item {
  return {
    ...registrationKey(tenantId, r.id),
    kind: 'registration',
    gsi1pk: gsi.all(tenantId),
    gsi1sk: r.id,
    gsi2pk: gsi.serial(tenantId, r.serialNumber),
    gsi2sk: r.id,
    gsi5pk: gsi.contact(tenantId, r.contactId),
    gsi5sk: r.id,
    ...r,
  }
}

/** G1. */
export async function getRegistration(tenantId: string, id: string): Promise<Registration | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: registrationKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? registrationOf(out.Item) : undefined
}

/** G3: a new registration. */
export async function insertRegistration(tenantId: string, r: Registration): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: registrationItem(tenantId, r),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  )
}

/** G3: the registration after a change, if it is still at `expectedVersion` (else NotFound / StaleVersion). */
export async function replaceRegistration(
  tenantId: string,
  next: Registration,
  expectedVersion: number,
): Promise<void> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: table(),
        Item: registrationItem(tenantId, next),
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      }),
    )
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    if (!(await getRegistration(tenantId, next.id))) throw new NotFound()
    throw new StaleVersion()
  }
}

/** G2: a page of registrations, newest first: one contact's, one unit's, or all. */
export async function listRegistrations(
  tenantId: string,
  q: {
    contactId?: string | undefined
    serialNumber?: string | undefined
    limit?: number | undefined
    cursor?: string | undefined
  },
): Promise<Page<Registration>> {
  const [index, pk] = q.contactId
    ? ['gsi5', gsi.contact(tenantId, q.contactId)]
    : q.serialNumber
      ? ['gsi2', gsi.serial(tenantId, q.serialNumber)]
      : ['gsi1', gsi.all(tenantId)]
  const result = await queryPage(
    {
      TableName: table(),
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk`,
      ExpressionAttributeValues: { ':pk': pk },
      ScanIndexForward: false,
    },
    {
      tenantId,
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    },
  )
  return {
    items: result.items.map(registrationOf),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  }
}

/** G4: a contact's registrations for the coverage on a ticket (newest first, bounded). */
export async function contactRegistrations(tenantId: string, contactId: string): Promise<Registration[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi5',
      KeyConditionExpression: 'gsi5pk = :pk',
      ExpressionAttributeValues: { ':pk': gsi.contact(tenantId, contactId) },
      ScanIndexForward: false,
      Limit: COVERAGE_MAX,
    }),
  )
  return (out.Items ?? []).map(registrationOf)
}

/** G4: a requester's coverage on `day`; a requester not (yet) linked to a contact has no registrations. */
export async function coverageOf(
  tenantId: string,
  contactId: string | undefined,
  day: string,
): Promise<Coverage> {
  const registrations = contactId ? await contactRegistrations(tenantId, contactId) : []
  return { ...coverageOn(registrations, day), asOf: day }
}

/** G5: the absorbed contact's registrations now belong to the survivor; returns how many moved. */
export function repointRegistrations(
  tenantId: string,
  from: string,
  to: string,
  now: string,
): Promise<number> {
  return repointCustomerItems(gsi.contact(tenantId, from), {
    from,
    to,
    toIndexPk: gsi.contact(tenantId, to),
    now,
  })
}

/** G5: an erased contact's registrations keep product and dates; serial numbers and notes go. */
export function eraseRegistrations(tenantId: string, contactId: string, now: string): Promise<number> {
  return eraseCustomerItems(gsi.contact(tenantId, contactId), () => ({
    UpdateExpression: 'SET serialNumber = :erased, updatedAt = :now REMOVE notes, gsi2pk, gsi2sk',
    ExpressionAttributeValues: { ':erased': '[erased]', ':now': now },
  }))
}
