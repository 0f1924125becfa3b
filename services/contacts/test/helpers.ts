/** The contacts tests' event builders: API Gateway's (shared, test/support) and SQS's for the work queues. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs'
import { queueEnvVar } from '@relay/core/names'
import type { SQSEvent } from 'aws-lambda'
import type { AwsClientStub } from 'aws-sdk-client-mock'

export { context, httpEvent, parse } from '../../../test/support/http-events.js'

export const QUEUES = ['import-chunks', 'export-runs', 'parked-activity'] as const
export type QueueName = (typeof QUEUES)[number]

const urlOf = (queue: QueueName) => `http://sqs.local/000000000000/crm-test-contacts-${queue}`

/** Points the service's queue URL variables at fake URLs (the SQS client is mocked). */
export function setQueueUrls(): void {
  for (const q of QUEUES) process.env[queueEnvVar('contacts', q)] = urlOf(q)
}

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

/** What was sent to `queue` through the mocked SQS client: each body (parsed) with its delay. */
export function sentTo(
  sqs: AwsClientStub<SQSClient>,
  queue: QueueName,
): { body: Record<string, unknown>; delaySeconds: number | undefined }[] {
  return sqs
    .commandCalls(SendMessageBatchCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.QueueUrl === urlOf(queue))
    .flatMap((input) =>
      (input.Entries ?? []).map((e) => ({
        body: JSON.parse(e.MessageBody ?? 'null') as Record<string, unknown>,
        delaySeconds: e.DelaySeconds,
      })),
    )
}
