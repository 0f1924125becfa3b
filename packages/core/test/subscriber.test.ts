import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import type { EventBridgeEvent } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as z from 'zod/mini'
import { subscriberKit } from '../src/kit.js'
import { subscription } from '../src/manifest.js'
import type { EventEnvelope, TransactItem } from '../src/outbox.js'
import type { ConsumeOptions, IncomingEvent } from '../src/subscriber.js'
import { work } from '../src/work.js'
import eventFixture from './fixtures/eventbridge-event.json' with { type: 'json' }

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())
beforeAll(() => {
  process.env.CORE_SUB_MAIN_TABLE = 'crm-test-core-sub-main'
})

const TABLE = 'crm-test-core-sub-main'
const ContactCreated = z.object({ contactId: z.string(), email: z.email() })
type ContactCreatedData = z.infer<typeof ContactCreated>

const kit = subscriberKit({ service: 'core-sub', table: 'main' })

/** A subscription to the fixture's event (crm.contacts Contact.Created) whose contract has `data`. */
function subscriber<D>(o: {
  data?: z.ZodMiniType<D>
  handle(event: IncomingEvent<D>): Promise<TransactItem[] | undefined>
  onConditionFailed?: ConsumeOptions['onConditionFailed']
}) {
  const contract = {
    source: 'crm.contacts',
    detailType: 'Contact.Created',
    version: 1,
    data: o.data ?? z.unknown(),
  }
  return kit(
    subscription({ name: 'test', function: 'test', events: [contract] }),
    async (event) => {
      const items = await o.handle(event as unknown as IncomingEvent<D>)
      return items && work(...items)
    },
    o.onConditionFailed ? { onConditionFailed: o.onConditionFailed } : {},
  )
}

function ebEvent(patch: Record<string, unknown> = {}): EventBridgeEvent<string, EventEnvelope> {
  return { ...structuredClone(eventFixture), ...patch } as EventBridgeEvent<string, EventEnvelope>
}

const projection = (event: IncomingEvent<ContactCreatedData>) => [
  {
    Put: {
      TableName: TABLE,
      Item: {
        pk: `T#${event.detail.tenantId}#RCPT#${event.detail.data.contactId}`,
        sk: 'RCPT',
        email: event.detail.data.email,
      },
    },
  },
]

function setup() {
  const handle = vi.fn(async (event: IncomingEvent<ContactCreatedData>) => projection(event))
  return { handle, handler: subscriber({ data: ContactCreated, handle }) }
}

// Per subscription (`EVT#<name>`): see the test of two subscriptions receiving one event.
const DEDUPE_KEY = { pk: 'T#acme#EVT#01JD3Y0C6Z8R4F2G9QK7WXN5TB', sk: 'EVT#test' }

describe('subscriber', () => {
  it('runs the handler and commits its items with the dedupe record in one transaction', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    const { handle, handler } = setup()
    // Act
    await handler(ebEvent())
    // Assess
    expect(handle).toHaveBeenCalledTimes(1)
    expect(handle.mock.calls[0]?.[0]).toMatchObject({
      source: 'crm.contacts',
      detailType: 'Contact.Created',
      eventBridgeId: 'eb-0001',
      detail: { id: '01JD3Y0C6Z8R4F2G9QK7WXN5TB', tenantId: 'acme', data: { contactId: 'c1' } },
    })
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems
    expect(items).toHaveLength(2)
    expect(items?.[0]?.Put?.Item?.pk).toBe('T#acme#RCPT#c1')
    expect(items?.[1]?.Put).toMatchObject({
      TableName: TABLE,
      Item: DEDUPE_KEY,
      ConditionExpression: 'attribute_not_exists(pk)',
    })
    const ttl = items?.[1]?.Put?.Item?.ttl as number
    expect(ttl - Math.floor(Date.now() / 1000)).toBeGreaterThan(7 * 24 * 3600 - 10)
  })

  it('two subscriptions of one service receiving the same event each handle it once (one dedupe record each)', async () => {
    // Prepare: a table that keeps what is written, so the first subscription's record is there.
    const stored = new Set<string>()
    const keyOf = (k: Record<string, unknown> | undefined) => `${k?.pk}|${k?.sk}`
    ddb.on(GetCommand).callsFake((input) => (stored.has(keyOf(input.Key)) ? { Item: input.Key } : {}))
    ddb.on(TransactWriteCommand).callsFake((input) => {
      for (const i of input.TransactItems ?? []) if (i.Put) stored.add(keyOf(i.Put.Item))
      return {}
    })
    const contract = {
      source: 'crm.contacts',
      detailType: 'Contact.Created',
      version: 1,
      data: ContactCreated,
    }
    const seen: string[] = []
    const named = (name: string) =>
      kit(subscription({ name, function: name, events: [contract] }), async (event) => {
        seen.push(name)
        return work(...projection(event as unknown as IncomingEvent<ContactCreatedData>))
      })
    // Act: each delivered twice
    for (const handler of [named('audience'), named('journeys')]) {
      await handler(ebEvent())
      await handler(ebEvent())
    }
    // Assess
    expect(seen).toEqual(['audience', 'journeys'])
    expect([...stored].filter((k) => k.includes('#EVT#')).sort()).toEqual([
      'T#acme#EVT#01JD3Y0C6Z8R4F2G9QK7WXN5TB|EVT#audience',
      'T#acme#EVT#01JD3Y0C6Z8R4F2G9QK7WXN5TB|EVT#journeys',
    ])
  })

  it('a redelivered event already recorded is a no-op (handler not run, nothing written)', async () => {
    ddb.on(GetCommand, { TableName: TABLE, Key: DEDUPE_KEY }).resolves({ Item: { ...DEDUPE_KEY } })
    const { handle, handler } = setup()
    await handler(ebEvent())
    expect(handle).not.toHaveBeenCalled()
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0)
  })

  it('a concurrent duplicate losing the dedupe condition is a no-op, not an error', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    )
    const { handler } = setup()
    await expect(handler(ebEvent())).resolves.toBeUndefined()
  })

  it('a handler returning nothing still records the event id (single conditional Put)', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(PutCommand).resolves({})
    const handler = subscriber({ handle: async () => undefined })
    await handler(ebEvent())
    expect(ddb).toReceiveCommandWith(PutCommand, {
      TableName: TABLE,
      Item: expect.objectContaining(DEDUPE_KEY),
      ConditionExpression: 'attribute_not_exists(pk)',
    })
  })

  it('a duplicate of a no-write event is a no-op too', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }))
    const handler = subscriber({ handle: async () => undefined })
    await expect(handler(ebEvent())).resolves.toBeUndefined()
  })

  it.each([
    ['detail without id', { detail: { ...eventFixture.detail, id: undefined } }],
    ['detail without tenant', { detail: { ...eventFixture.detail, tenantId: '' } }],
    ['tenant with #', { detail: { ...eventFixture.detail, tenantId: 'a#b' } }],
    ['detail not an object', { detail: 'oops' }],
    ['data not matching the schema', { detail: { ...eventFixture.detail, data: { contactId: 1 } } }],
  ])('a malformed envelope (%s) is dropped without running the handler or throwing', async (_name, patch) => {
    const { handle, handler } = setup()
    await expect(handler(ebEvent(patch))).resolves.toBeUndefined()
    expect(handle).not.toHaveBeenCalled()
    expect(ddb.calls()).toHaveLength(0)
  })

  it('other failures throw so the bus retries', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).rejects(new Error('throttled'))
    const { handler } = setup()
    await expect(handler(ebEvent())).rejects.toThrow('throttled')
  })

  it("a failed condition of the handler's own items retries by default, or is ignored when asked", async () => {
    // Prepare: the first item's condition failed, not the dedupe record's.
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    )
    const strict = setup().handler
    const lenient = subscriber({
      data: ContactCreated,
      onConditionFailed: 'ignore',
      handle: async (e) => projection(e),
    })
    // Act / Assess
    await expect(strict(ebEvent())).rejects.toThrow()
    await expect(lenient(ebEvent())).resolves.toBeUndefined()
  })
})
