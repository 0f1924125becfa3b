/** Handlers with DynamoDB faked (aws-sdk-client-mock): what they write, and what they answer. */
import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb'
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb'
import { EVENT_CATALOGUE } from '@relay/contracts/events'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_PIPELINE } from '../src/domain/pipeline.js'
import { handler as convertLead } from '../src/handlers/convert-lead.js'
import { handler as createDeal } from '../src/handlers/create-deal.js'
import { handler as createLead } from '../src/handlers/create-lead.js'
import { handler as createPipeline } from '../src/handlers/create-pipeline.js'
import { handler as getForecast } from '../src/handlers/get-forecast.js'
import { handler as listDeals } from '../src/handlers/list-deals.js'
import { handler as moveStage } from '../src/handlers/move-deal-stage.js'
import { handler as putCurrencies } from '../src/handlers/put-currencies.js'
import { handler as replacePipeline } from '../src/handlers/replace-pipeline.js'
import { handler as updateDeal } from '../src/handlers/update-deal.js'
import { manifest } from '../src/service.js'
import { context, httpEvent, parse } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
const TABLE = 'crm-test-pipeline-main'
const ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'
const PRODUCT_ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TC'
const NOW = '2026-11-01T10:00:00.000Z'

beforeAll(() => {
  process.env.PIPELINE_MAIN_TABLE = TABLE
})
afterEach(() => {
  ddb.reset()
})

const storedDeal = (version = 1, over: Record<string, unknown> = {}) => ({
  pk: `T#acme#DEAL#${ID}`,
  sk: 'DEAL',
  gsi1pk: 'x',
  kind: 'deal',
  id: ID,
  name: 'Renewal',
  pipelineId: DEFAULT_PIPELINE.id,
  stageId: 'qualification',
  status: 'open',
  amount: { amountMinor: 100000, currency: 'EUR' },
  lineItems: [],
  ownerId: 'user-1',
  closeDate: '2026-11-20',
  stageHistory: [{ stageId: 'qualification', enteredAt: NOW, enteredBy: 'user-1' }],
  version,
  createdAt: NOW,
  updatedAt: NOW,
  ...over,
})

const canceled = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
  })

const transactItems = (i = 0) => ddb.commandCalls(TransactWriteCommand)[i]!.args[0].input.TransactItems!
const outboxTypes = (i = 0) =>
  transactItems(i)
    .map((t) => t.Put?.Item)
    .filter((item) => item?.kind === 'outbox')
    .map((item) => item!.detailType)

describe('manifest', () => {
  it('has one function per route, schedule and subscription, and every body route has an example', () => {
    const fns = manifest.routes.map((r) => r.function)
    expect(new Set(fns).size).toBe(fns.length)
    const others = [...manifest.schedules, ...manifest.subscriptions].map((x) => x.function)
    expect(Object.keys(manifest.functions).sort()).toEqual([...fns, ...others].sort())
    for (const r of manifest.routes.filter((r) => r.method !== 'GET' && r.method !== 'DELETE'))
      expect(r.example, `${r.method} ${r.path}`).toBeDefined()
  })
})

describe('event catalogue', () => {
  it('is what the pipeline manifest publishes', () => {
    const catalogued = EVENT_CATALOGUE.filter((e) => e.source === manifest.source).map((e) => e.detailType)
    expect(manifest.publishes.map((p) => p.detailType)).toEqual(catalogued)
    expect(catalogued).toEqual(expect.arrayContaining(['Deal.Won', 'Lead.Converted', 'Activity.ReminderDue']))
  })
})

describe('PUT /pipelines/{id}', () => {
  it('refuses to remove a stage that still holds deals, naming it, and writes nothing', async () => {
    // Prepare: the default pipeline (not stored yet); deals sit in "discovery"
    ddb.on(GetCommand).resolves({})
    ddb.on(QueryCommand).resolves({ Count: 0 })
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':stage': 'T#acme#STAGE#discovery#DEAL#' } })
      .resolves({ Count: 1 })
    const body = {
      name: 'Short',
      stages: DEFAULT_PIPELINE.stages.filter((s) => s.id !== 'discovery' && s.id !== 'qualification'),
    }
    const event = httpEvent({
      method: 'PUT',
      path: `/pipelines/${DEFAULT_PIPELINE.id}`,
      params: { id: DEFAULT_PIPELINE.id },
      body,
      roles: ['manager'],
    })
    // Act
    const res = parse(await replacePipeline(event, context))
    // Assess
    expect(res.status).toBe(409)
    expect(res.body.stagesInUse).toEqual(['discovery'])
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0)
  })

  it('stores the default pipeline the first time it is replaced', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(QueryCommand).resolves({ Count: 0 })
    ddb.on(TransactWriteCommand).resolves({})
    const body = { name: 'Renamed', stages: DEFAULT_PIPELINE.stages }
    const event = httpEvent({
      method: 'PUT',
      path: `/pipelines/${DEFAULT_PIPELINE.id}`,
      params: { id: DEFAULT_PIPELINE.id },
      body,
      roles: ['admin'],
    })
    const res = parse(await replacePipeline(event, context))
    expect(res.status).toBe(200)
    expect(res.headers.ETag).toBe('"1"')
    expect(transactItems()).toEqual([
      expect.objectContaining({
        Put: expect.objectContaining({ ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    ])
  })
})

describe('POST /pipelines', () => {
  it('names each broken stage rule and writes nothing', async () => {
    const body = {
      name: 'Bad',
      stages: [
        { id: 'a', name: 'A', probability: 10, forecastCategory: 'pipeline' },
        { id: 'a', name: 'B', probability: 10, forecastCategory: 'pipeline' },
        { id: 'won', name: 'Won', probability: 100, forecastCategory: 'closed', outcome: 'won' },
      ],
    }
    const res = parse(await createPipeline(httpEvent({ method: 'POST', path: '/pipelines', body }), context))
    expect(res.status).toBe(400)
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['stages.1.id', 'stages'])
    expect(ddb.calls()).toHaveLength(0)
  })

  it('is for managers: sales gets 403', async () => {
    const res = parse(
      await createPipeline(
        httpEvent({ method: 'POST', path: '/pipelines', body: {}, roles: ['sales'] }),
        context,
      ),
    )
    expect(res.status).toBe(403)
  })
})

describe('POST /deals', () => {
  it('writes the deal and Deal.Created in ONE transaction, in the default pipeline, and answers 201', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    const body = {
      name: 'Renewal',
      amount: { amountMinor: 1250000, currency: 'EUR' },
      closeDate: '2026-12-15',
    }
    // Act
    const res = parse(
      await createDeal(httpEvent({ method: 'POST', path: '/deals', body, roles: ['sales'] }), context),
    )
    // Assess
    expect(res.status).toBe(201)
    expect(res.headers.Location).toBe(`/deals/${res.body.id}`)
    expect(res.body).toMatchObject({
      stageId: 'qualification',
      pipelineId: DEFAULT_PIPELINE.id,
      ownerId: 'user-1',
    })
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1)
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0)
    expect(transactItems()[0]!.Put).toMatchObject({
      TableName: TABLE,
      Item: {
        pk: `T#acme#DEAL#${res.body.id}`,
        gsi1pk: `T#acme#DEALS#PIPELINE#${DEFAULT_PIPELINE.id}`,
        gsi2pk: 'T#acme#DEALS#OWNER#user-1',
        gsi3sk: `T#acme#CLOSE#2026-12-15#DEAL#${res.body.id}`,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    })
    expect(outboxTypes()).toEqual(['Deal.Created'])
  })

  it('computes the amount from catalogue line items', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        [TABLE]: [
          {
            id: PRODUCT_ID,
            name: 'Pro',
            sku: 'PRO',
            unitPrice: { amountMinor: 1999, currency: 'KWD' },
            active: true,
            version: 1,
            createdAt: NOW,
            updatedAt: NOW,
          },
        ],
      },
    })
    ddb.on(TransactWriteCommand).resolves({})
    const body = { name: 'Kit', lineItems: [{ productId: PRODUCT_ID, quantity: 3 }] }
    const res = parse(await createDeal(httpEvent({ method: 'POST', path: '/deals', body }), context))
    expect(res.status).toBe(201)
    expect(res.body.amount).toEqual({ amountMinor: 5997, currency: 'KWD' })
    expect(ddb).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: {
        [TABLE]: { Keys: [{ pk: `T#acme#PRODUCT#${PRODUCT_ID}`, sk: 'PRODUCT' }], ConsistentRead: true },
      },
    })
  })

  it('rejects an unknown pipeline, a float amount and an unknown currency, naming each field', async () => {
    ddb.on(GetCommand).resolves({})
    const unknown = parse(
      await createDeal(
        httpEvent({ method: 'POST', path: '/deals', body: { name: 'X', pipelineId: ID } }),
        context,
      ),
    )
    expect(unknown.status).toBe(400)
    expect(unknown.body.errors[0].field).toBe('pipelineId')
    const bad = parse(
      await createDeal(
        httpEvent({
          method: 'POST',
          path: '/deals',
          body: { name: 'X', amount: { amountMinor: 10.5, currency: 'EUX' } },
        }),
        context,
      ),
    )
    expect(bad.status).toBe(400)
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'amount.amountMinor',
      'amount.currency',
    ])
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
  })

  it('answers a throttled DynamoDB with a 503 problem and Retry-After that carries no internals', async () => {
    ddb.on(GetCommand).resolves({})
    ddb
      .on(TransactWriteCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }))
    const res = parse(
      await createDeal(httpEvent({ method: 'POST', path: '/deals', body: { name: 'X' } }), context),
    )
    expect(res.status).toBe(503)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    expect(JSON.stringify(res.body)).not.toContain('Rate exceeded')
  })
})

describe('POST /deals/{id}/stage', () => {
  const move = (body: unknown, headers: Record<string, string> = {}) =>
    httpEvent({
      method: 'POST',
      path: `/deals/${ID}/stage`,
      params: { id: ID },
      body,
      headers,
      roles: ['sales'],
    })

  it('wins the deal: history, Deal.StageChanged and Deal.Won in one conditional transaction', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({})
    ddb.on(GetCommand, { Key: { pk: `T#acme#DEAL#${ID}`, sk: 'DEAL' } }).resolves({ Item: storedDeal(2) })
    ddb.on(GetCommand, { Key: { pk: `T#acme#PIPELINE#${DEFAULT_PIPELINE.id}`, sk: 'PIPELINE' } }).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    // Act
    const res = parse(await moveStage(move({ stageId: 'won' }, { 'if-match': '"2"' }), context))
    // Assess
    expect(res.status).toBe(200)
    expect(res.headers.ETag).toBe('"3"')
    expect(res.body).toMatchObject({ status: 'won', stageId: 'won' })
    expect(res.body.stageHistory).toHaveLength(2)
    expect(res.body.stageHistory[1]).toMatchObject({ stageId: 'won', enteredBy: 'user-1' })
    expect(transactItems()[0]!.Put).toMatchObject({ ExpressionAttributeValues: { ':expected': 2 } })
    expect(outboxTypes()).toEqual(['Deal.StageChanged', 'Deal.Won'])
  })

  it('an automation rule for the stage entered adds its follow-up in the same transaction', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({})
    ddb.on(GetCommand, { Key: { pk: `T#acme#DEAL#${ID}`, sk: 'DEAL' } }).resolves({ Item: storedDeal(2) })
    ddb.on(GetCommand, { Key: { pk: 'T#acme#SETTINGS', sk: 'AUTOMATIONS' } }).resolves({
      Item: {
        rules: [{ stageId: 'proposal', activity: { subject: 'Call back', dueInDays: 2 } }],
        version: 1,
      },
    })
    ddb.on(TransactWriteCommand).resolves({})
    // Act
    const res = parse(await moveStage(move({ stageId: 'proposal' }), context))
    // Assess
    expect(res.status).toBe(200)
    const items = transactItems()
    expect(items[0]!.Put!.Item).toMatchObject({ kind: 'deal', stageId: 'proposal' })
    expect(items[1]!.Put).toMatchObject({
      Item: {
        kind: 'activity',
        subject: 'Call back',
        ownerId: 'user-1',
        relatedTo: { type: 'deal', id: ID },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    })
    expect(outboxTypes()).toEqual(['Deal.StageChanged'])
  })

  it('needs a reason to lose, and writes nothing without one', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(GetCommand, { Key: { pk: `T#acme#DEAL#${ID}`, sk: 'DEAL' } }).resolves({ Item: storedDeal(2) })
    ddb.on(GetCommand, { Key: { pk: `T#acme#PIPELINE#${DEFAULT_PIPELINE.id}`, sk: 'PIPELINE' } }).resolves({})
    const res = parse(await moveStage(move({ stageId: 'lost' }), context))
    expect(res.status).toBe(400)
    expect(res.body.errors[0].field).toBe('reason')
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
  })

  it('answers 409 when someone else moved it between the read and the write', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(GetCommand, { Key: { pk: `T#acme#DEAL#${ID}`, sk: 'DEAL' } }).resolves({ Item: storedDeal(2) })
    ddb.on(GetCommand, { Key: { pk: `T#acme#PIPELINE#${DEFAULT_PIPELINE.id}`, sk: 'PIPELINE' } }).resolves({})
    ddb.on(TransactWriteCommand).rejects(canceled())
    const res = parse(await moveStage(move({ stageId: 'proposal' }), context))
    expect(res.status).toBe(409)
  })

  it("looks only in the caller's tenant: another tenant's deal is a 404", async () => {
    ddb.on(GetCommand).resolves({})
    const event = httpEvent({
      method: 'POST',
      path: `/deals/${ID}/stage`,
      params: { id: ID },
      body: { stageId: 'proposal' },
      tenant: 'globex',
    })
    expect(parse(await moveStage(event, context)).status).toBe(404)
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { pk: `T#globex#DEAL#${ID}`, sk: 'DEAL' } })
  })
})

describe('PATCH /deals/{id}', () => {
  it('answers 412 to a stale If-Match without writing', async () => {
    ddb.on(GetCommand).resolves({ Item: storedDeal(3) })
    const event = httpEvent({
      method: 'PATCH',
      path: `/deals/${ID}`,
      params: { id: ID },
      body: { name: 'New' },
      headers: { 'if-match': '"2"' },
    })
    expect(parse(await updateDeal(event, context)).status).toBe(412)
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
  })

  it('publishes Deal.Updated with the changes', async () => {
    ddb.on(GetCommand).resolves({ Item: storedDeal(3) })
    ddb.on(TransactWriteCommand).resolves({})
    const event = httpEvent({
      method: 'PATCH',
      path: `/deals/${ID}`,
      params: { id: ID },
      body: { closeDate: null },
    })
    const res = parse(await updateDeal(event, context))
    expect(res.status).toBe(200)
    expect(res.body.closeDate).toBeUndefined()
    expect(transactItems()[1]!.Put!.Item).toMatchObject({
      detailType: 'Deal.Updated',
      detail: { data: { id: ID, version: 4, changes: { closeDate: { before: '2026-11-20' } } } },
    })
  })
})

describe('GET /deals', () => {
  it('lists an owner’s deals closing in a range from gsi2', async () => {
    ddb.on(QueryCommand).resolves({ Items: [storedDeal(1)] })
    const event = httpEvent({
      method: 'GET',
      path: '/deals',
      query: { owner: 'user-1', closeFrom: '2026-11-01', closeTo: '2026-11-30' },
      roles: ['viewer'],
    })
    const res = parse(await listDeals(event, context))
    expect(res.status).toBe(200)
    expect(res.body.items[0]).not.toHaveProperty('pk')
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': 'T#acme#DEALS#OWNER#user-1',
        ':from': 'T#acme#CLOSE#2026-11-01',
        ':to': 'T#acme#CLOSE#2026-11-30~',
      },
    })
  })

  it('refuses a stage filter without a pipeline', async () => {
    const res = parse(
      await listDeals(httpEvent({ method: 'GET', path: '/deals', query: { stage: 'proposal' } }), context),
    )
    expect(res.status).toBe(400)
    expect(res.body.errors[0].field).toBe('query.stage')
    expect(ddb.calls()).toHaveLength(0)
  })
})

describe('leads', () => {
  const lead = (over: Record<string, unknown> = {}) => ({
    id: ID,
    lastName: 'Lee',
    email: 'lee@example.com',
    source: 'web',
    status: 'qualified',
    ownerId: 'user-9',
    score: 0,
    version: 2,
    createdAt: NOW,
    updatedAt: NOW,
    ...over,
  })

  it('scores a new lead with the stored rules', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(GetCommand, { Key: { pk: 'T#acme#SETTINGS', sk: 'LEAD_SCORING' } }).resolves({
      Item: { rules: [{ field: 'source', operator: 'eq', value: 'referral', points: 40 }], version: 1 },
    })
    ddb.on(TransactWriteCommand).resolves({})
    const body = { lastName: 'Lee', source: 'referral' }
    const res = parse(await createLead(httpEvent({ method: 'POST', path: '/leads', body }), context))
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ score: 40, status: 'new' })
    expect(outboxTypes()).toEqual(['Lead.Created'])
  })

  it('converts: lead, new deal, Lead.Converted and Deal.Created in one transaction', async () => {
    // Prepare
    ddb.on(GetCommand, { Key: { pk: `T#acme#LEAD#${ID}`, sk: 'LEAD' } }).resolves({ Item: lead() })
    ddb.on(GetCommand, { Key: { pk: `T#acme#PIPELINE#${DEFAULT_PIPELINE.id}`, sk: 'PIPELINE' } }).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    const event = httpEvent({
      method: 'POST',
      path: `/leads/${ID}/convert`,
      params: { id: ID },
      body: { deal: { amount: { amountMinor: 5000, currency: 'JPY' } } },
    })
    // Act
    const res = parse(await convertLead(event, context))
    // Assess
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ leadId: ID, contactId: expect.any(String), dealId: expect.any(String) })
    const items = transactItems()
    expect(items[0]!.Put).toMatchObject({
      Item: { status: 'converted', conversion: { contactId: res.body.contactId } },
      ExpressionAttributeValues: { ':expected': 2 },
    })
    expect(items[1]!.Put).toMatchObject({
      Item: {
        id: res.body.dealId,
        contactId: res.body.contactId,
        leadId: ID,
        ownerId: 'user-9',
        name: 'Lee',
      },
    })
    expect(outboxTypes()).toEqual(['Lead.Converted', 'Deal.Created'])
    expect(items[2]!.Put!.Item).toMatchObject({ pk: `T#acme#CONTACTLINK#${res.body.contactId}`, leadId: ID })
    const converted = items.find((i) => i.Put?.Item?.detailType === 'Lead.Converted')
    expect(converted!.Put!.Item!.detail.data).toMatchObject({
      contactId: res.body.contactId,
      contact: { lastName: 'Lee', email: 'lee@example.com', ownerId: 'user-9' },
    })
  })

  it('converting again answers the same ids and writes nothing', async () => {
    const conversion = {
      contactId: 'C'.repeat(26),
      dealId: 'D'.repeat(26),
      convertedAt: NOW,
      convertedBy: 'u',
    }
    ddb.on(GetCommand).resolves({ Item: lead({ status: 'converted', conversion }) })
    const event = httpEvent({ method: 'POST', path: `/leads/${ID}/convert`, params: { id: ID }, body: {} })
    const res = parse(await convertLead(event, context))
    expect(res.body).toEqual({ leadId: ID, contactId: conversion.contactId, dealId: conversion.dealId })
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
  })

  it('when a simultaneous conversion wins the race, answers its ids', async () => {
    const conversion = { contactId: 'C'.repeat(26), convertedAt: NOW, convertedBy: 'u' }
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: lead() })
      .resolves({ Item: lead({ status: 'converted', conversion, version: 3 }) })
    ddb.on(TransactWriteCommand).rejects(canceled())
    const event = httpEvent({ method: 'POST', path: `/leads/${ID}/convert`, params: { id: ID }, body: {} })
    const res = parse(await convertLead(event, context))
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ leadId: ID, contactId: conversion.contactId })
  })
})

describe('settings and forecast', () => {
  it('rejects a float-looking rate, a duplicate currency and a rate for the base currency', async () => {
    ddb.on(GetCommand).resolves({})
    const body = {
      baseCurrency: 'EUR',
      rates: [
        { currency: 'USD', rate: '0.92' },
        { currency: 'USD', rate: '0.93' },
        { currency: 'EUR', rate: '1' },
      ],
    }
    const res = parse(
      await putCurrencies(httpEvent({ method: 'PUT', path: '/settings/currencies', body }), context),
    )
    expect(res.status).toBe(400)
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'rates.1.currency',
      'rates.2.currency',
    ])
    const float = parse(
      await putCurrencies(
        httpEvent({
          method: 'PUT',
          path: '/settings/currencies',
          body: { baseCurrency: 'EUR', rates: [{ currency: 'USD', rate: 0.92 }] },
        }),
        context,
      ),
    )
    expect(float.body.errors[0].field).toBe('rates.0.rate')
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0)
  })

  it('answers the forecast in the base currency from the close-date index', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [storedDeal(1, { stageId: 'negotiation' })] })
    // Everything else (pipeline, quotas) is absent: the built-in default pipeline applies.
    ddb.on(GetCommand).resolves({})
    ddb.on(GetCommand, { Key: { pk: 'T#acme#SETTINGS', sk: 'CURRENCIES' } }).resolves({
      Item: { baseCurrency: 'USD', rates: [{ currency: 'EUR', rate: '1.08' }], version: 1 },
    })
    // Act
    const res = parse(
      await getForecast(
        httpEvent({ method: 'GET', path: '/forecast', query: { period: '2026-Q4' }, roles: ['viewer'] }),
        context,
      ),
    )
    // Assess: 1000.00 EUR × 1.08 = 1080.00 USD in commit, weighted 80%
    expect(res.status).toBe(200)
    expect(res.body.currency).toBe('USD')
    expect(res.body.total).toMatchObject({ commit: 108000, weighted: 86400, closedWon: 0 })
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'gsi3',
      ExpressionAttributeValues: {
        ':pk': 'T#acme#DEALS',
        ':from': 'T#acme#CLOSE#2026-10-01',
        ':to': 'T#acme#CLOSE#2026-12-31~',
      },
    })
  })

  it('rejects a malformed period', async () => {
    const res = parse(
      await getForecast(
        httpEvent({ method: 'GET', path: '/forecast', query: { period: '2026-Q5' } }),
        context,
      ),
    )
    expect(res.status).toBe(400)
    expect(res.body.errors[0].field).toBe('query.period')
  })
})
