/**
 * What the stores of a tenant's few-per-kind records share (policies, agreements, agents, queues,
 * routing and business hours): each kind lives in one partition of the tenant, read consistently,
 * listed in pages, replaced at the version read.
 */
import { PutCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import { documentClient, isConditionalCheckFailed, queryPage } from '@relay/core/ddb'
import { StaleVersion } from '@relay/core/outcomes'
import { table } from './table.js'

type Item = Record<string, unknown>

/** The record of an item: keys, kind and index attributes taken off. */
export function recordOf<T>(item: Item): T {
  const { pk: _p, sk: _s, kind: _k, gsi1pk: _g, gsi1sk: _h, ...rest } = item
  return rest as T
}

/** One page of a Query (consistent on the table, eventually consistent on an index), as records. */
export async function recordPage<T>(
  tenantId: string,
  input: Omit<QueryCommandInput, 'TableName'>,
  q: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<T>> {
  const out = await queryPage(
    { TableName: table(), ...(input.IndexName ? {} : { ConsistentRead: true }), ...input },
    { tenantId, ...(q.limit ? { limit: q.limit } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) },
  )
  return {
    items: out.items.map((i) => recordOf<T>(i)),
    ...(out.nextCursor ? { nextCursor: out.nextCursor } : {}),
  }
}

/** The records of partition `pk`, one page. */
export function partitionPage<T>(
  tenantId: string,
  pk: string,
  q: { limit?: number | undefined; cursor?: string | undefined },
  newestFirst = false,
): Promise<Page<T>> {
  return recordPage<T>(
    tenantId,
    {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ...(newestFirst ? { ScanIndexForward: false } : {}),
    },
    q,
  )
}

/** A Put of a record at the version read (0: must not exist yet); StaleVersion when it moved. */
export async function putAtVersion(item: Item, expected: number): Promise<void> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: table(),
        Item: item,
        ...(expected === 0
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':v': expected },
            }),
      }),
    )
  } catch (err) {
    if (isConditionalCheckFailed(err)) throw new StaleVersion('Changed meanwhile; read it again and retry.')
    throw err
  }
}
