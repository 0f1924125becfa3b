/**
 * The contacts tests' event builders: API Gateway's (shared, test/support) and SQS's for the work
 * queues; and the work messages a write carries (its queue-outbox items), read back as the
 * outbox publisher would send them.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import type { SQSEvent } from 'aws-lambda'
import type { AwsClientStub } from 'aws-sdk-client-mock'

export { context, httpEvent, parse } from '../../../test/support/http-events.js'

export const QUEUES = ['import-chunks', 'export-runs', 'parked-activity'] as const
export type QueueName = (typeof QUEUES)[number]

let sequence = 0

/** One SQS delivery of `body` as Lambda's event source passes it (a fresh message id unless given). */
export function queueEvent(
  body: unknown,
  opts: { receiveCount?: number; messageId?: string } = {},
): SQSEvent {
  const messageId = opts.messageId ?? `msg-${++sequence}`
  return {
    Records: [
      {
        messageId,
        receiptHandle: `rh-${messageId}`,
        body: JSON.stringify(body),
        attributes: {
          ApproximateReceiveCount: String(opts.receiveCount ?? 1),
          SentTimestamp: String(Date.now()),
          SenderId: '000000000000',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:crm-test-contacts',
        awsRegion: 'us-east-1',
      },
    ],
  }
}

/** A work message as the outbox publisher sends it: its body (parsed) and its delay. */
export interface Queued {
  body: Record<string, unknown>
  delaySeconds: number | undefined
}

/** The messages for `queue` among `items` (queue-outbox items, `kind: 'queue'`), in their order. */
export function queuedIn(items: Iterable<Record<string, unknown> | undefined>, queue: QueueName): Queued[] {
  return [...items]
    .filter((item) => item?.kind === 'queue' && item.queue === queue && item.service === 'contacts')
    .map((item) => ({
      body: JSON.parse(String(item!.body)) as Record<string, unknown>,
      delaySeconds: item!.delaySeconds as number | undefined,
    }))
}

/** The items Put by every TransactWriteItems the mocked document client was sent, in order. */
export function transactedPuts(
  ddb: AwsClientStub<DynamoDBDocumentClient>,
): (Record<string, unknown> | undefined)[] {
  return ddb
    .commandCalls(TransactWriteCommand)
    .flatMap((c) => c.args[0].input.TransactItems ?? [])
    .map((i) => i.Put?.Item)
}

/**
 * The queue-outbox items of one tenant in a throw-away table on DynamoDB Local (a test may Scan its
 * own table; request paths never do).
 */
export async function outboxItemsOf(table: string, tenantId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = []
  let start: Record<string, unknown> | undefined
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'begins_with(pk, :prefix) AND kind = :queue',
        ExpressionAttributeValues: { ':prefix': `T#${tenantId}#OUTBOX#`, ':queue': 'queue' },
        ExclusiveStartKey: start,
      }),
    )
    items.push(...(page.Items ?? []))
    start = page.LastEvaluatedKey
  } while (start)
  // Their ids are ULIDs: sorted, they are in the order they were written.
  return items.sort((a, b) => String(a.id).localeCompare(String(b.id)))
}
