/**
 * The product catalogue (table `main`). Configuration: no events.
 *
 * | item    | pk               | sk      | indexes |
 * | product | T#t#PRODUCT#<id> | PRODUCT | gsi1: T#t#PRODUCTS / T#t#PRODUCT#<id> |
 *
 * Access patterns:
 *  1. A product by id                   GetItem (consistent: its version feeds If-Match)
 *  2. List products, newest first       Query gsi1 (pk T#t#PRODUCTS), descending
 *  3. Products of line items            BatchGetItem (≤ 50 keys, unprocessed keys retried)
 *  4. Create / change                   PutItem, attribute_not_exists(pk) or version = the version read
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Product } from '@relay/contracts/pipeline'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { Unavailable } from '@relay/core/outcomes'
import { atVersion, commit, fromItem, getItem, type PageQuery, page, table } from './table.js'

const productKey = (tenantId: string, id: string) => ({
  pk: tenantKey(tenantId, 'PRODUCT', id),
  sk: 'PRODUCT',
})

/** Access pattern 1. */
export const getProduct = (tenantId: string, id: string) => getItem<Product>(productKey(tenantId, id))

/** Access pattern 2. */
export function listProducts(tenantId: string, q: PageQuery): Promise<Page<Product>> {
  return page<Product>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'PRODUCTS') },
      ScanIndexForward: false,
    },
    q,
  )
}

/** Access pattern 3: the tenant's products with these ids (missing ones are simply absent). */
export async function getProducts(tenantId: string, ids: readonly string[]): Promise<Map<string, Product>> {
  const found = new Map<string, Product>()
  if (ids.length === 0) return found
  let keys: Record<string, unknown>[] = [...new Set(ids)].map((id) => productKey(tenantId, id))
  for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
    const out = await documentClient().send(
      new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys, ConsistentRead: true } } }),
    )
    for (const item of out.Responses?.[table()] ?? []) {
      const p = fromItem<Product>(item)
      found.set(p.id, p)
    }
    keys = (out.UnprocessedKeys?.[table()]?.Keys ?? []) as Record<string, unknown>[]
    if (keys.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt))
  }
  // DynamoDB kept answering with unprocessed keys (throttled): the caller may retry shortly.
  if (keys.length) throw new Unavailable(1, 'The product catalogue could not be read in full; retry.')
  return found
}

/**
 * Access pattern 4: a product at `expectedVersion` (0 = new). A transaction, so that the
 * idempotency claim of the POST that creates it commits with it (core adds the claim's item).
 */
export async function putProduct(tenantId: string, product: Product, expectedVersion: number): Promise<void> {
  const Item = {
    ...productKey(tenantId, product.id),
    gsi1pk: tenantKey(tenantId, 'PRODUCTS'),
    gsi1sk: tenantKey(tenantId, 'PRODUCT', product.id),
    kind: 'product',
    ...product,
  }
  await commit(tenantId, '', [{ Put: { TableName: table(), Item, ...atVersion(expectedVersion) } }])
}
