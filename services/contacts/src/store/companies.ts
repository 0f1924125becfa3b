/**
 * Companies: `T#<t>#COMPANY#<id>` / `COMPANY` (gsi1: `T#<t>#COMPANIES` / `T#<t>#COMPANY#<id>`); its
 * memberships (`MEMBER#<contactId>`, written by the contact, store/contact-index.ts) share the
 * partition. `linkSeq` counts the links ever made to it.
 *
 * Access patterns:
 *  9. By id: GetItem (consistent). List newest first: Query gsi1. Create: Put (attribute_not_exists)
 *     + outbox. Update: Put at the version read + outbox.
 *  9d. Delete: GetItem (its version and `linkSeq`), Query one membership, Delete conditioned on
 *     both + outbox; every new link ADDs 1 to `linkSeq` in the contact's own transaction (its
 *     existence check), so a link landing between the Query and the Delete fails the Delete.
 * 10. Contacts of a company: pattern 7 of store/search.ts on the membership partition.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Company } from '@relay/contracts/companies'
import { documentClient, queryPage } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { transactWithEvents } from '@relay/core/outbox'
import { writeOrExplain } from '@relay/core/outcomes'
import type { FieldChange } from '../domain/contact.js'
import { companyCreated, companyDeleted, companyUpdated } from '../domain/events.js'
import { CompanyInUse } from '../domain/outcomes.js'
import { companyKey, envelopes, type Item, stillAtVersion, table } from './table.js'

function companyItem(tenantId: string, c: Company): Item {
  return {
    ...companyKey(tenantId, c.id),
    gsi1pk: tenantKey(tenantId, 'COMPANIES'),
    gsi1sk: tenantKey(tenantId, 'COMPANY', c.id),
    kind: 'company',
    ...c,
  }
}

function companyOf(item: Item): Company {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, kind: _kind, linkSeq: _seq, ...company } = item
  return company as Company
}

/** Pattern 9: a company by id (consistent), or undefined. */
export async function getCompany(tenantId: string, id: string): Promise<Company | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: companyKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? companyOf(out.Item) : undefined
}

/** Pattern 9: a tenant's companies, newest first. */
export async function listCompanies(
  tenantId: string,
  page: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<Company>> {
  const result = await queryPage(
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'COMPANIES') },
      ScanIndexForward: false,
    },
    {
      tenantId,
      ...(page.limit !== undefined ? { limit: page.limit } : {}),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    },
  )
  return {
    items: result.items.map(companyOf),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  }
}

/** Pattern 9: creates a company with `Company.Created`. */
export async function insertCompany(
  tenantId: string,
  company: Company,
  correlationId: string,
): Promise<void> {
  await transactWithEvents(
    table(),
    [
      {
        Put: {
          TableName: table(),
          Item: companyItem(tenantId, company),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
    envelopes(tenantId, correlationId, companyCreated(company)),
  )
}

const companyExists = (tenantId: string, id: string) => async () =>
  (await getCompany(tenantId, id)) !== undefined

/** Pattern 9: replaces a company still at `expectedVersion`, with `Company.Updated`; else `StaleVersion` / `NotFound`. */
export async function replaceCompany(
  tenantId: string,
  company: Company,
  expectedVersion: number,
  changes: Record<string, FieldChange>,
  correlationId: string,
): Promise<void> {
  await transactWithEvents(
    table(),
    [
      {
        Put: { TableName: table(), Item: companyItem(tenantId, company), ...stillAtVersion(expectedVersion) },
      },
    ],
    envelopes(tenantId, correlationId, companyUpdated(company, changes)),
  )
}

/**
 * Pattern 9d: deletes a company still at `expectedVersion` that no contact belongs to, with
 * `Company.Deleted`; {@link CompanyInUse} (nothing written) while one does; changed or linked
 * meanwhile → `StaleVersion`, gone → `NotFound`. The membership Query and the
 * Delete are made atomic by `linkSeq`: every new link bumps it in its own transaction, and the
 * Delete requires the value read before the Query, so a link landing in between fails the Delete
 * (ConditionalCheckFailed) instead of leaving a contact linked to a deleted company.
 */
export async function removeCompanyIfUnused(
  tenantId: string,
  id: string,
  expectedVersion: number,
  correlationId: string,
): Promise<void> {
  const name = table()
  const read = await documentClient().send(
    new GetCommand({ TableName: name, Key: companyKey(tenantId, id), ConsistentRead: true }),
  )
  const linkSeq = read.Item?.linkSeq as number | undefined
  const members = await documentClient().send(
    new QueryCommand({
      TableName: name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'COMPANY', id), ':m': 'MEMBER#' },
      Limit: 1,
      ConsistentRead: true,
    }),
  )
  if ((members.Items ?? []).length > 0) throw new CompanyInUse()
  const atVersion = stillAtVersion(expectedVersion)
  const remove = () =>
    transactWithEvents(
      name,
      [
        {
          Delete: {
            TableName: name,
            Key: companyKey(tenantId, id),
            ConditionExpression: `${atVersion.ConditionExpression} AND ${
              linkSeq === undefined ? 'attribute_not_exists(linkSeq)' : 'linkSeq = :seq'
            }`,
            ExpressionAttributeNames: atVersion.ExpressionAttributeNames,
            ExpressionAttributeValues: {
              ...atVersion.ExpressionAttributeValues,
              ...(linkSeq === undefined ? {} : { ':seq': linkSeq }),
            },
          },
        },
      ],
      envelopes(tenantId, correlationId, companyDeleted(id, expectedVersion)),
    )
  await writeOrExplain(remove, companyExists(tenantId, id))
}
