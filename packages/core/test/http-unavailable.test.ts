/**
 * A throttled or unavailable dependency answers 503 problem+json with Retry-After (issue 9.4),
 * whichever AWS client failed, through the whole stack of a route.
 */
import {
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb'
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses'
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it } from 'vitest'
import { documentClient } from '../src/ddb.js'
import { httpKit } from '../src/kit.js'
import { route, WRITERS } from '../src/manifest.js'
import { bodyOf, context, httpEvent } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
const events = mockClient(EventBridgeClient)
const ses = mockClient(SESClient)
const s3 = mockClient(S3Client)
const sqs = mockClient(SQSClient)
afterEach(() => {
  for (const m of [ddb, events, ses, s3, sqs]) m.reset()
})

const http = httpKit({ service: 'coreunavailable' })
const readThing = route({ method: 'GET', path: '/things', function: 'read', roles: WRITERS, summary: 'Read' })
const serviceError = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $fault: 'server', $metadata: { httpStatusCode: status } })

const call = (send: () => Promise<unknown>) =>
  http(readThing, async () => {
    await send()
    return { status: 200 }
  })(httpEvent({ method: 'GET', path: '/things' }), context)

describe('a throttled or unavailable dependency → 503 with Retry-After', () => {
  it.each([
    [
      'DynamoDB ThrottlingException',
      () => new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }),
      '1',
    ],
    [
      'DynamoDB ProvisionedThroughputExceededException',
      () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }),
      '1',
    ],
    [
      'DynamoDB RequestLimitExceeded',
      () => new RequestLimitExceeded({ message: 'account limit', $metadata: {} }),
      '1',
    ],
    ['DynamoDB 500', () => serviceError('InternalServerError', 500), '5'],
    [
      'DynamoDB Local stopped',
      () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
      '5',
    ],
  ])('%s', async (_name, error, retryAfter) => {
    // Prepare
    ddb.on(GetCommand).rejects(error())
    // Act
    const res = await call(() =>
      documentClient().send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } })),
    )
    // Assess
    expect(res.statusCode).toBe(503)
    expect(res.headers).toMatchObject({
      'content-type': 'application/problem+json',
      'retry-after': retryAfter,
    })
    expect(bodyOf(res)).toMatchObject({ status: 503, title: 'Service Unavailable' })
  })

  it('EventBridge throttled', async () => {
    events.on(PutEventsCommand).rejects(serviceError('ThrottlingException', 400))
    const res = await call(() =>
      new EventBridgeClient({ region: 'us-east-1' }).send(new PutEventsCommand({ Entries: [] })),
    )
    expect(res.statusCode).toBe(503)
    expect(res.headers?.['retry-after']).toBe('1')
  })

  it('SES throttled', async () => {
    ses.on(SendEmailCommand).rejects(serviceError('Throttling', 400))
    const res = await call(() =>
      new SESClient({ region: 'us-east-1' }).send(
        new SendEmailCommand({
          Source: 'a@b.c',
          Destination: {},
          Message: { Subject: { Data: 's' }, Body: {} },
        }),
      ),
    )
    expect(res.statusCode).toBe(503)
  })

  it('S3 slowing down', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('SlowDown', 503))
    const res = await call(() =>
      new S3Client({ region: 'us-east-1' }).send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })),
    )
    expect(res.statusCode).toBe(503)
    expect(res.headers?.['retry-after']).toBe('1')
  })

  it('SQS unavailable', async () => {
    sqs.on(SendMessageCommand).rejects(serviceError('ServiceUnavailable', 503))
    const res = await call(() =>
      new SQSClient({ region: 'us-east-1' }).send(
        new SendMessageCommand({ QueueUrl: 'http://q', MessageBody: '{}' }),
      ),
    )
    expect(res.statusCode).toBe(503)
    expect(res.headers?.['retry-after']).toBe('5')
  })

  it('a client mistake is not an outage: an AWS 400 that is no throttle stays a 500', async () => {
    ddb.on(GetCommand).rejects(serviceError('ValidationException', 400))
    const res = await call(() =>
      documentClient().send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } })),
    )
    expect(res.statusCode).toBe(500)
    expect(res.headers?.['retry-after']).toBeUndefined()
  })
})
