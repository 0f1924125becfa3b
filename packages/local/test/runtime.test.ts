/**
 * The local runtime driven from outside: the gateway over HTTP, the bus through the real
 * @aws-sdk/client-eventbridge, the mailbox through the real @aws-sdk/client-ses.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EventBridgeClient, PutEventsCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge'
import { SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses'
import { defineService } from '@relay/core/manifest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalRuntime, startLocal } from '../src/runtime.js'
import { testServices, uniqueStage } from './fixtures/index.js'

const g = globalThis as { __echoEvents?: unknown[]; __flakyFail?: boolean; __flakyCalls?: unknown[] }
const dataDir = mkdtempSync(join(tmpdir(), 'relay-local-'))
let rt: LocalRuntime
let adminToken: string

beforeAll(async () => {
  rt = await startLocal({
    port: 0,
    stage: uniqueStage('rt'),
    dataDir,
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!,
    services: testServices,
    quiet: true,
    schedules: false,
    retryDelaysMs: [5, 5, 5],
    streamHandler: async () => ({ batchItemFailures: [] }),
  })
  adminToken = await rt.token('acme', ['admin', 'sales'], 'u-42')
})
afterAll(async () => {
  await rt?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const json = (res: Response): Promise<any> => res.json()

const awsConfig = () => ({
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
})

describe('gateway', () => {
  it('hands the function a payload 2.0 event with JWT claims as HTTP API does', async () => {
    // Act
    const res = await fetch(`${rt.url}/echo/abc%20d?x=1&x=2&y=%C3%A9`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${adminToken}`,
        'content-type': 'application/json',
        cookie: 'a=1; b=2',
        'X-Custom': 'Yes',
      },
      body: JSON.stringify({ hello: 'สวัสดี' }),
    })
    const { event, context } = await json(res)

    // Assess
    expect(res.status).toBe(200)
    expect(res.headers.get('x-echo')).toBe('yes')
    expect(res.headers.get('set-cookie')).toBe('a=1; Path=/')
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /echo/{id}',
      rawPath: '/echo/abc%20d',
      rawQueryString: 'x=1&x=2&y=%C3%A9',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { x: '1,2', y: 'é' },
      pathParameters: { id: 'abc d' },
      body: JSON.stringify({ hello: 'สวัสดี' }),
      isBase64Encoded: false,
      requestContext: {
        accountId: expect.any(String),
        apiId: expect.any(String),
        domainName: expect.any(String),
        routeKey: 'POST /echo/{id}',
        stage: '$default',
        requestId: expect.any(String),
        timeEpoch: expect.any(Number),
        time: expect.stringMatching(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
        http: { method: 'POST', path: '/echo/abc%20d', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        authorizer: {
          jwt: {
            claims: { sub: 'u-42', 'custom:tenantId': 'acme', 'cognito:groups': '[admin sales]' },
          },
        },
      },
    })
    expect(event.headers['x-custom']).toBe('Yes')
    expect(event.headers.cookie).toBeUndefined()
    expect(context.functionName).toBe(`crm-${rt.stage}-echo-echo`)
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(context.remaining).toBeGreaterThan(0)
  })

  it('base64-encodes non-text bodies', async () => {
    const res = await fetch(`${rt.url}/echo/1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 1, 2, 255]),
    })
    const { event } = await json(res)
    expect(event.isBase64Encoded).toBe(true)
    expect(Buffer.from(event.body, 'base64')).toEqual(Buffer.from([0, 1, 2, 255]))
  })

  it('answers 401, 404 and 405 itself, as problem+json', async () => {
    const missing = await fetch(`${rt.url}/echo/1`)
    const invalid = await fetch(`${rt.url}/echo/1`, { headers: { authorization: 'Bearer nope' } })
    const unknown = await fetch(`${rt.url}/nowhere`)
    const wrongMethod = await fetch(`${rt.url}/echo/1`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    })

    for (const res of [missing, invalid, unknown, wrongMethod])
      expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect([missing.status, await json(missing)]).toEqual([
      401,
      {
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'A valid bearer token is required.',
        instance: '/echo/1',
      },
    ])
    expect(missing.headers.get('www-authenticate')).toBe('Bearer')
    expect([invalid.status, (await json(invalid)).title]).toEqual([401, 'Unauthorized'])
    expect([unknown.status, await json(unknown)]).toEqual([
      404,
      {
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: 'No route GET /nowhere.',
        instance: '/nowhere',
      },
    ])
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'POST, GET'])
    expect(await json(wrongMethod)).toMatchObject({ status: 405, title: 'Method Not Allowed' })
  })

  it('serves public routes without a token and without an authorizer', async () => {
    const res = await fetch(`${rt.url}/public/echo`)
    const { event } = await json(res)
    expect(res.status).toBe(200)
    expect(event.requestContext.authorizer).toBeUndefined()
    expect(event.queryStringParameters).toBeUndefined()
    expect(event.body).toBeUndefined()
  })

  it('interprets shorthand and binary results, and a thrown error as 500', async () => {
    const object = await fetch(`${rt.url}/shorthand/object`)
    const text = await fetch(`${rt.url}/shorthand/string`)
    const binary = await fetch(`${rt.url}/shorthand/binary`)
    const thrown = await fetch(`${rt.url}/shorthand/throw`)

    expect([object.status, object.headers.get('content-type'), await json(object)]).toEqual([
      200,
      'application/json',
      { hello: 'world' },
    ])
    expect(await text.text()).toBe('plain text')
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]))
    expect([thrown.status, thrown.headers.get('content-type'), await json(thrown)]).toEqual([
      500,
      'application/problem+json',
      {
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'The function failed.',
        instance: '/shorthand/throw',
      },
    ])
  })
})

describe('bus', () => {
  it('delivers a PutEvents entry from the real SDK to the matching subscription', async () => {
    // Prepare
    g.__echoEvents = []
    const client = new EventBridgeClient({ ...awsConfig(), endpoint: rt.eventsEndpoint })

    // Act
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'crm.test',
            DetailType: 'Thing.Created',
            Detail: JSON.stringify({ id: 't1' }),
            EventBusName: 'x',
          },
          { Source: 'crm.test', DetailType: 'Thing.Ignored', Detail: '{}' },
          { Source: 'crm.test', DetailType: 'Thing.Created', Detail: 'not json' },
        ],
      }),
    )
    await rt.bus.idle()

    // Assess
    expect(out.FailedEntryCount).toBe(1)
    expect(out.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/)
    expect(out.Entries?.[2]?.ErrorCode).toBeTruthy()
    expect(g.__echoEvents).toEqual([
      expect.objectContaining({
        version: '0',
        id: out.Entries?.[0]?.EventId,
        source: 'crm.test',
        'detail-type': 'Thing.Created',
        account: expect.any(String),
        region: 'us-east-1',
        resources: [],
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        detail: { id: 't1' },
      }),
    ])
    client.destroy()
  })

  it('retries a failing subscription, dead-letters it, and redrives it', async () => {
    // Prepare
    g.__flakyFail = true
    g.__flakyCalls = []
    const client = new EventBridgeClient({ ...awsConfig(), endpoint: rt.eventsEndpoint })

    // Act
    await client.send(
      new PutEventsCommand({
        Entries: [{ Source: 'crm.test', DetailType: 'Thing.Failed', Detail: '{"n":1}' }],
      }),
    )
    await rt.bus.idle()
    const dead = await json(await fetch(`${rt.url}/_local/dead-letters`))

    // Assess
    expect(g.__flakyCalls).toHaveLength(4)
    expect(dead.items).toHaveLength(1)
    expect(dead.items[0]).toMatchObject({
      attempts: 4,
      error: 'flaky handler failed',
      event: { detail: { n: 1 } },
    })

    // Act: fix the handler, redrive
    g.__flakyFail = false
    const redrive = await fetch(`${rt.url}/_local/dead-letters/redrive`, { method: 'POST' })
    await rt.bus.idle()

    // Assess
    expect(await json(redrive)).toEqual({ redriven: 1 })
    expect(g.__flakyCalls).toHaveLength(5)
    expect(rt.bus.deadLetters()).toEqual([])
    const events = await json(await fetch(`${rt.url}/_local/events`))
    expect(events.items.length).toBeGreaterThan(0)
    client.destroy()
  })

  it('answers TestEventPattern', async () => {
    const client = new EventBridgeClient({ ...awsConfig(), endpoint: rt.eventsEndpoint })
    const event = JSON.stringify({
      id: '1',
      account: '1',
      source: 'crm.contacts',
      time: '2024-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'Contact.Created',
      detail: { n: 5 },
    })
    const yes = await client.send(
      new TestEventPatternCommand({ EventPattern: '{"detail":{"n":[{"numeric":[">",1]}]}}', Event: event }),
    )
    const no = await client.send(
      new TestEventPatternCommand({ EventPattern: '{"source":["crm.other"]}', Event: event }),
    )
    await expect(
      client.send(new TestEventPatternCommand({ EventPattern: '{"source":"not-an-array"}', Event: event })),
    ).rejects.toThrow()
    expect([yes.Result, no.Result]).toEqual([true, false])
    client.destroy()
  })

  it('fails start-up with a clear message when a subscription pattern is invalid', async () => {
    const bad = defineService({
      name: 'bad',
      source: 'crm.bad',
      tables: {},
      functions: { f: { entry: 'f.ts' } },
      routes: [],
      subscriptions: [{ name: 'broken', pattern: { source: 'crm.x' }, function: 'f' }],
      schedules: [],
      publishes: [],
    })
    await expect(
      startLocal({
        port: 0,
        dataDir,
        dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!,
        services: [{ manifest: bad, root: dataDir }],
        quiet: true,
      }),
    ).rejects.toThrow(/bad.*broken/)
  })
})

describe('mailbox', () => {
  it('keeps SendEmail and SendRawEmail messages from the real SES client', async () => {
    // Prepare
    const ses = new SESClient({ ...awsConfig(), endpoint: rt.sesEndpoint })
    const raw = [
      'From: Relay <no-reply@relay.local>',
      'To: ana@example.com',
      'Subject: =?UTF-8?B?' + Buffer.from('Raw สวัสดี').toString('base64') + '?=',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'Hello raw',
    ].join('\r\n')

    // Act
    const sent = await ses.send(
      new SendEmailCommand({
        Source: 'no-reply@relay.local',
        Destination: {
          ToAddresses: ['ana@example.com', 'bo@example.com'],
          CcAddresses: ['cc@example.com'],
          BccAddresses: ['bcc@example.com'],
        },
        Message: {
          Subject: { Data: 'Hi Ana' },
          Body: { Text: { Data: 'Plain' }, Html: { Data: '<p>Html</p>' } },
        },
      }),
    )
    const rawSent = await ses.send(
      new SendRawEmailCommand({
        RawMessage: { Data: Buffer.from(raw) },
        Destinations: ['ana@example.com', 'hidden@example.com'],
      }),
    )
    const list = await json(await fetch(`${rt.url}/_local/mail`))
    const one = await json(await fetch(`${rt.url}/_local/mail/${sent.MessageId}`))

    // Assess
    expect(sent.MessageId).toBeTruthy()
    expect(one).toMatchObject({
      from: 'no-reply@relay.local',
      to: ['ana@example.com', 'bo@example.com'],
      cc: ['cc@example.com'],
      bcc: ['bcc@example.com'],
      subject: 'Hi Ana',
      text: 'Plain',
      html: '<p>Html</p>',
    })
    const rawMessage = list.items.find((m: { id: string }) => m.id === rawSent.MessageId)
    expect(rawMessage).toMatchObject({
      subject: 'Raw สวัสดี',
      to: ['ana@example.com'],
      bcc: ['hidden@example.com'],
    })
    expect(rawMessage.raw).toContain('Hello raw')
    expect((await rt.mail.list()).length).toBe(2)
    ses.destroy()
  })

  it('rejects a message without destination with an SES error', async () => {
    const ses = new SESClient({ ...awsConfig(), endpoint: rt.sesEndpoint })
    await expect(
      ses.send(
        new SendEmailCommand({
          Source: 'a@b.c',
          Destination: {},
          Message: { Subject: { Data: 's' }, Body: {} },
        }),
      ),
    ).rejects.toMatchObject({ name: 'MessageRejected' })
    ses.destroy()
  })
})

describe('schedules', () => {
  it('lists schedules and triggers one by hand with a Scheduled Event', async () => {
    g.__echoEvents = []
    const list = await json(await fetch(`${rt.url}/_local/schedules`))
    const res = await fetch(`${rt.url}/_local/schedules/echo/tick`, { method: 'POST' })
    const unknown = await fetch(`${rt.url}/_local/schedules/echo/nope`, { method: 'POST' })

    expect(list.items).toEqual([
      expect.objectContaining({ service: 'echo', name: 'tick', expression: 'rate(1 hour)' }),
    ])
    expect(res.status).toBe(200)
    expect(unknown.status).toBe(404)
    expect(g.__echoEvents).toEqual([
      expect.objectContaining({
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        resources: [expect.stringMatching(new RegExp(`rule/crm-${rt.stage}-echo-tick$`))],
        detail: {},
      }),
    ])
  })
})

describe('environment', () => {
  it('sets what handlers read', () => {
    expect(process.env).toMatchObject({
      STAGE: rt.stage,
      EVENT_BUS_NAME: `crm-${rt.stage}`,
      EVENTS_ENDPOINT: rt.eventsEndpoint,
      SES_ENDPOINT: rt.sesEndpoint,
      DYNAMODB_ENDPOINT: rt.dynamodbEndpoint,
      ECHO_MAIN_TABLE: `crm-${rt.stage}-echo-main`,
      ECHO_PLAIN_TABLE: `crm-${rt.stage}-echo-plain`,
    })
  })
})
