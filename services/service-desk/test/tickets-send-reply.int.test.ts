/**
 * The send-reply worker on DynamoDB Local with SES faked: a throttled send is retried and sent once,
 * a redelivery after the send sends nothing more, a message SES refuses for good is marked failed.
 */
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses'
import { newId } from '@relay/core/ids'
import { resetSesClient } from '@relay/core/mail'
import type { SQSEvent } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { handler as sendReply } from '../src/handlers/send-reply.js'
import { manifest } from '../src/service.js'
import { getComment } from '../src/store/comments.js'
import { addComment, openTicket } from '../src/store/ticket-changes.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const TENANT = 't-send'
const ses = mockClient(SESClient)

/** One SQS delivery of a send-reply message, with the outbox item's stable id as the publisher sets it. */
function delivery(body: unknown, stableId: string, receiveCount = 1): SQSEvent {
  return {
    Records: [
      {
        messageId: `sqs-${newId()}`,
        receiptHandle: 'rh',
        body: JSON.stringify(body),
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          SentTimestamp: String(Date.now()),
          SenderId: '000000000000',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: { 'relay-message-id': { dataType: 'String', stringValue: stableId } },
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:crm-test-service-desk-send-reply',
        awsRegion: 'us-east-1',
      },
    ],
  }
}

async function queuedReply() {
  const t = await openTicket(
    TENANT,
    { subject: 'Printer on fire', description: 'Smoke.', requester: { email: 'ann@example.com' } },
    { actorId: 'a', correlationId: 'c', channel: 'email', messageId: '<in-1@example.com>' },
  )
  const { comment } = await addComment(
    TENANT,
    t.id,
    { body: 'On our way.', public: true, author: 'agent' },
    { correlationId: 'c' },
  )
  return {
    ticketId: t.id,
    commentId: comment.id,
    message: { tenantId: TENANT, ticketId: t.id, commentId: comment.id, correlationId: 'c' },
  }
}

describe('send-reply worker', () => {
  let table: string
  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))
  afterEach(() => {
    ses.reset()
    resetSesClient()
  })

  it('retries a throttled send, then sends once with the threading headers; a redelivery sends nothing', async () => {
    // Prepare
    const { ticketId, commentId, message } = await queuedReply()
    const id = newId()
    // Throttled past the SDK's own retries: the message fails and comes back.
    ses
      .on(SendRawEmailCommand)
      .rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }))
    // Act
    const first = await sendReply(delivery(message, id))
    const stillQueued = (await getComment(TENANT, ticketId, commentId))?.mail?.status
    ses.reset()
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'ses-1' })
    const second = await sendReply(delivery(message, id, 2))
    const redelivered = await sendReply(delivery(message, id, 3))
    // A copy under another stable id (sent twice by a publisher retry before its id existed): the comment says sent.
    const copy = await sendReply(delivery(message, newId()))
    // Assess
    expect(first.batchItemFailures).toHaveLength(1)
    expect(stillQueued).toBe('queued')
    expect(second.batchItemFailures).toEqual([])
    expect(redelivered.batchItemFailures).toEqual([])
    expect(copy.batchItemFailures).toEqual([])
    const calls = ses.commandCalls(SendRawEmailCommand)
    expect(calls).toHaveLength(1)
    const raw = Buffer.from(calls[0]!.args[0].input.RawMessage!.Data!).toString('utf8')
    const comment = await getComment(TENANT, ticketId, commentId)
    expect(comment?.mail).toMatchObject({ status: 'sent', to: 'ann@example.com' })
    // A long header is folded onto the next line (RFC 5322 §2.2.3): unfold it.
    const headerOf = (name: string) =>
      new RegExp(`^${name}:((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im')
        .exec(raw)?.[1]
        ?.replace(/\r?\n[ \t]+/g, ' ')
        .trim()
    expect(headerOf('Message-ID')).toBe(comment?.mail?.messageId)
    expect(headerOf('In-Reply-To')).toBe('<in-1@example.com>')
    expect(headerOf('References')).toBe('<in-1@example.com>')
    expect(raw).toMatch(/^To: ann@example\.com/m)
  })

  it('marks a reply SES refuses for good as failed instead of retrying it', async () => {
    // Prepare
    const { ticketId, commentId, message } = await queuedReply()
    ses
      .on(SendRawEmailCommand)
      .rejects(Object.assign(new Error('Address blacklisted.'), { name: 'MessageRejected' }))
    // Act
    const out = await sendReply(delivery(message, newId()))
    // Assess
    expect(out.batchItemFailures).toEqual([])
    expect((await getComment(TENANT, ticketId, commentId))?.mail).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('MessageRejected'),
    })
  })
})
