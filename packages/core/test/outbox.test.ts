import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it } from 'vitest'
import { newEvent, outboxPut, queueOutboxPut, transactWithEvents } from '../src/outbox.js'

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())

const event = () =>
  newEvent({
    source: 'crm.contacts',
    detailType: 'Contact.Created',
    tenantId: 'acme',
    data: { id: 'c1' },
    correlationId: 'corr-1',
  })

describe('newEvent', () => {
  it('wraps data in the envelope with a fresh ULID, the time and version 1', () => {
    const e = event()
    expect(e).toMatchObject({
      source: 'crm.contacts',
      detailType: 'Contact.Created',
      detail: { tenantId: 'acme', version: 1, correlationId: 'corr-1', data: { id: 'c1' } },
    })
    expect(e.detail.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(Number.isNaN(Date.parse(e.detail.occurredAt))).toBe(false)
    expect(event().detail.id).not.toBe(e.detail.id)
  })
})

describe('outboxPut', () => {
  it('builds the tenant-keyed outbox item with a 3-day ttl', () => {
    // Prepare
    const e = event()
    const now = Math.floor(Date.now() / 1000)
    // Act
    const put = outboxPut('t1', e).Put
    // Assess
    expect(put?.TableName).toBe('t1')
    expect(put?.Item).toMatchObject({
      pk: `T#acme#OUTBOX#${e.detail.id}`,
      sk: 'OUTBOX',
      kind: 'outbox',
      source: 'crm.contacts',
      detailType: 'Contact.Created',
      detail: e.detail,
    })
    const ttl = put?.Item?.ttl as number
    expect(ttl - now).toBeGreaterThanOrEqual(3 * 24 * 3600 - 5)
    expect(ttl - now).toBeLessThanOrEqual(3 * 24 * 3600 + 5)
  })
})

describe('queueOutboxPut', () => {
  it('builds the tenant-keyed queue-outbox item: queue, JSON body, delay, its id, a 3-day ttl', () => {
    const now = Math.floor(Date.now() / 1000)
    const body = { tenantId: 'acme', jobId: 'j1', chunk: 0, note: 'ä' }
    const put = queueOutboxPut('t1', {
      tenantId: 'acme',
      service: 'contacts',
      queue: 'import-chunks',
      body,
      delaySeconds: 30,
    }).Put
    expect(put?.TableName).toBe('t1')
    expect(put?.ConditionExpression).toBe('attribute_not_exists(pk)')
    const item = put?.Item ?? {}
    expect(item.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(item).toMatchObject({
      pk: `T#acme#OUTBOX#${item.id}`,
      sk: 'OUTBOX',
      kind: 'queue',
      service: 'contacts',
      queue: 'import-chunks',
      body: JSON.stringify(body),
      delaySeconds: 30,
    })
    expect((item.ttl as number) - now).toBeGreaterThanOrEqual(3 * 24 * 3600 - 5)
    // No delay: no attribute (SQS's queue default applies).
    const plain = queueOutboxPut('t1', {
      tenantId: 'acme',
      service: 's',
      queue: 'q',
      body: { tenantId: 'acme' },
    })
    expect(plain.Put?.Item).not.toHaveProperty('delaySeconds')
    expect(plain.Put?.Item?.id).not.toBe(item.id)
  })

  it('refuses, before any write, what SQS could never take: a delay out of range, a body too large or not JSON', () => {
    const base = { tenantId: 'acme', service: 's', queue: 'q' }
    expect(() => queueOutboxPut('t1', { ...base, body: {}, delaySeconds: 901 })).toThrow(RangeError)
    expect(() => queueOutboxPut('t1', { ...base, body: {}, delaySeconds: 1.5 })).toThrow(RangeError)
    expect(() => queueOutboxPut('t1', { ...base, body: {}, delaySeconds: -1 })).toThrow(RangeError)
    // The limit counts the id attribute too: a body of exactly 256 KiB no longer fits.
    expect(() => queueOutboxPut('t1', { ...base, body: 'x'.repeat(262_142) })).toThrow(/at most 262144/)
    expect(() => queueOutboxPut('t1', { ...base, body: 'x'.repeat(262_000) })).not.toThrow()
    expect(() => queueOutboxPut('t1', { ...base, body: undefined })).toThrow(TypeError)
  })
})

describe('transactWithEvents', () => {
  it('writes the items and one outbox Put per event in one transaction', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({})
    const item = { Put: { TableName: 't1', Item: { pk: 'T#acme#C#1', sk: 'C' } } }
    const e1 = event()
    const e2 = event()
    // Act
    await transactWithEvents('t1', [item], [e1, e2])
    // Assess
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1)
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? []
    expect(items.map((i) => i.Put?.Item?.pk)).toEqual([
      'T#acme#C#1',
      `T#acme#OUTBOX#${e1.detail.id}`,
      `T#acme#OUTBOX#${e2.detail.id}`,
    ])
  })

  it('refuses more than 100 items before writing anything', async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({
      Put: { TableName: 't1', Item: { pk: `T#acme#${i}` } },
    }))
    await expect(transactWithEvents('t1', items, [event()])).rejects.toThrow(/at most 100/)
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
  })

  it('refuses an event PutEvents could never publish (> 256 KB)', async () => {
    const big = newEvent({
      source: 'crm.contacts',
      detailType: 'Contact.Created',
      tenantId: 'acme',
      data: { blob: 'x'.repeat(260 * 1024) },
      correlationId: 'c',
    })
    await expect(transactWithEvents('t1', [], [big])).rejects.toThrow(/256|262144/)
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
  })
})
