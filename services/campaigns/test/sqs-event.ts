import type { SQSEvent } from 'aws-lambda'

/** One work message as SQS hands it to a worker: `id` is its stable id, so the same id twice is a redelivery. */
export const sqsEvent = (id: string, body: unknown): SQSEvent =>
  ({
    Records: [
      {
        messageId: id,
        receiptHandle: id,
        body: JSON.stringify(body),
        attributes: { ApproximateReceiveCount: '1' },
        messageAttributes: { 'relay-message-id': { stringValue: id, dataType: 'String' } },
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
        awsRegion: 'us-east-1',
      },
    ],
  }) as unknown as SQSEvent
