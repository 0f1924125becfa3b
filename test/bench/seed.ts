/** What the service benches share: the API caller they are given, and seeding straight into a table. */
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { physicalTableName } from '@relay/core/names'
import { localDynamoDbClient } from '@relay/local/dynamodb'
import type { LocalRuntime } from '@relay/local/runtime'

/** Calls the local API with the bench's token; throws on 4xx/5xx. */
export type Call = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ res: Response; json: any }>

/** A document client on the runtime's DynamoDB Local, for seeding. */
const seedClient = (runtime: LocalRuntime) =>
  DynamoDBDocumentClient.from(localDynamoDbClient(runtime.dynamodbEndpoint), {
    marshallOptions: { removeUndefinedValues: true },
  })

/** Writes items with BatchWriteItem, `parallel` requests in flight, unprocessed items retried. */
async function batchPut(
  doc: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
  parallel = 16,
): Promise<void> {
  const batches: Record<string, unknown>[][] = []
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25))
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let batch = batches.pop(); batch; batch = batches.pop()) {
        let pending: Record<string, unknown>[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }))
        for (let attempt = 0; pending?.length; attempt++) {
          if (attempt > 10) throw new Error('BatchWriteItem kept items unprocessed')
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }))
          pending = out.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined
        }
      }
    }),
  )
}

/**
 * Seeds `count` records straight into the service's `main` table, 5 000 at a time, the items of
 * record `i` from `itemsOf(i)`; returns the milliseconds it took.
 */
export async function seedTable(
  runtime: LocalRuntime,
  service: string,
  count: number,
  itemsOf: (i: number) => Record<string, unknown>[],
  onStep?: (done: number) => void,
): Promise<number> {
  const doc = seedClient(runtime)
  const table = physicalTableName(runtime.stage, service, 'main')
  const started = performance.now()
  const step = 5_000
  for (let from = 0; from < count; from += step) {
    const items: Record<string, unknown>[] = []
    for (let i = from; i < Math.min(count, from + step); i++) items.push(...itemsOf(i))
    await batchPut(doc, table, items)
    onStep?.(Math.min(count, from + step))
  }
  return performance.now() - started
}
