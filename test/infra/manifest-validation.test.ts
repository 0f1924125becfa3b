/**
 * `@relay/core/manifest-validation`: every check, one mistake at a time on the fixture manifest,
 * and the same message from the CDK app and the local runtime.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ServiceManifest } from '@relay/core/manifest'
import { ManifestError, validateManifest, validateServices } from '@relay/core/manifest-validation'
import { startLocal } from '@relay/local/runtime'
import { App } from 'aws-cdk-lib'
import { describe, expect, it } from 'vitest'
import * as z from 'zod/mini'
import { buildCrmApp, MANIFEST_CHECKERS } from '../../infra/lib/crm-app.js'
import { resolveStage } from '../../infra/lib/stages.js'
import { fixtureOutboxPublisher, fixtureQueuePublisher, fixtureServices } from './helpers.js'

const orders = fixtureServices[0]!.manifest
const with_ = (patch: Partial<ServiceManifest>): ServiceManifest => ({ ...orders, ...patch })
const fns = (extra: ServiceManifest['functions']) => ({ ...orders.functions, ...extra })
const check = (m: ServiceManifest) => () => validateManifest(m, MANIFEST_CHECKERS)

describe('validateManifest', () => {
  it('accepts the fixture and every check passes on it', () => {
    expect(check(orders)).not.toThrow()
  })

  it.each<[string, ServiceManifest, string]>([
    [
      'a route naming an unknown function',
      with_({ routes: [{ method: 'GET', path: '/x', function: 'nope', roles: 'public', summary: 'x' }] }),
      'route GET /x names unknown function "nope"',
    ],
    [
      'a subscription naming an unknown function',
      with_({ subscriptions: [{ name: 's', pattern: { source: ['crm.x'] }, function: 'nope' }] }),
      'subscription "s" names unknown function "nope"',
    ],
    [
      'a schedule naming an unknown function',
      with_({ schedules: [{ name: 'n', expression: 'rate(1 day)', function: 'nope' }] }),
      'schedule "n" names unknown function "nope"',
    ],
    [
      'a queue naming an unknown consumer',
      with_({ queues: { ...orders.queues, jobs: { consumer: 'nope' } } }),
      'queue "jobs" names unknown function "nope"',
    ],
    [
      'an object trigger naming an unknown function',
      with_({ objectTriggers: [{ name: 't', bucket: 'receipts', prefix: 'a/', function: 'nope' }] }),
      'object trigger "t" names unknown function "nope"',
    ],
    [
      'sendsTo naming an undeclared queue',
      with_({ functions: fns({ spy: { entry: 'handlers/ping.ts', sendsTo: ['elsewhere'] } }) }),
      'function "spy" sends to queue "elsewhere", which the service does not declare',
    ],
    [
      'sendsTo from a function that writes no outbox table',
      with_({
        functions: fns({
          spy: {
            entry: 'handlers/ping.ts',
            tables: { main: 'read', audit: 'write' },
            sendsTo: ['order-mail'],
          },
        }),
      }),
      'function "spy" sends to queues but writes no outbox table, whose publisher would send them',
    ],
    [
      "a function taking the outbox publisher's name",
      with_({ functions: fns({ 'main-outbox': { entry: 'handlers/ping.ts' } }) }),
      'function name "main-outbox" is reserved for the outbox publisher',
    ],
    [
      "a function taking the queue publisher's name",
      with_({ functions: fns({ 'main-outbox-queue': { entry: 'handlers/ping.ts' } }) }),
      'function name "main-outbox-queue" is reserved for the queue publisher',
    ],
    [
      'two subscriptions with one name',
      with_({
        subscriptions: [
          orders.subscriptions[0]!,
          { ...orders.subscriptions[1]!, name: orders.subscriptions[0]!.name },
        ],
      }),
      'subscription/schedule name "contact-created" is used twice',
    ],
    [
      'a schedule taking a subscription name (both become rules)',
      with_({
        schedules: [{ name: 'contact-created', expression: 'rate(1 day)', function: 'nightly-report' }],
      }),
      'subscription/schedule name "contact-created" is used twice',
    ],
    [
      'a queue named like the dead-letter queue of another',
      with_({ queues: { ...orders.queues, 'order-mail-dlq': { consumer: 'ping' } } }),
      'queue name "order-mail-dlq" is taken by the dead-letter queue of "order-mail"',
    ],
    [
      'one function consuming two queues',
      with_({ queues: { ...orders.queues, more: { consumer: 'process-chunk' } } }),
      'function "process-chunk" consumes both queue "receipt-chunks" and queue "more"',
    ],
    [
      'a queue consumer that serves routes',
      with_({ queues: { ...orders.queues, jobs: { consumer: 'get-order' } } }),
      'queue "jobs" consumer "get-order" also serves routes',
    ],
    [
      'a visibility timeout below the consumer timeout',
      with_({
        queues: {
          ...orders.queues,
          'receipt-chunks': { consumer: 'process-chunk', visibilityTimeoutSeconds: 59 },
        },
      }),
      'queue "receipt-chunks" visibilityTimeoutSeconds must be a whole number from the consumer\'s timeout (60 s)',
    ],
    [
      'a batch size SQS cannot deliver',
      with_({ queues: { ...orders.queues, 'order-mail': { consumer: 'send-order-mail', batchSize: 11 } } }),
      'queue "order-mail" batchSize must be a whole number from 1 to 10',
    ],
    [
      'a concurrency cap Lambda refuses',
      with_({
        queues: { ...orders.queues, 'order-mail': { consumer: 'send-order-mail', maxConcurrency: 1 } },
      }),
      'queue "order-mail" maxConcurrency must be a whole number from 2 to 1000',
    ],
    [
      'an event pattern EventBridge rejects',
      with_({
        subscriptions: [{ name: 'bad', pattern: { source: 'crm.x' }, function: 'on-contact-created' }],
      }),
      'subscription "bad" has an invalid event pattern: Event pattern is not valid at source',
    ],
    [
      'a schedule expression EventBridge rejects',
      with_({ schedules: [{ name: 'n', expression: 'cron(0 8 * * *)', function: 'nightly-report' }] }),
      'schedule "n": Invalid schedule cron(0 8 * * *): cron needs 6 fields',
    ],
    [
      'a path that does not start with /',
      with_({ routes: [{ method: 'GET', path: 'orders', function: 'ping', roles: 'public', summary: 'x' }] }),
      'route GET orders: the path must start with /',
    ],
    [
      'a path with an empty segment',
      with_({
        routes: [{ method: 'GET', path: '/orders//x', function: 'ping', roles: 'public', summary: 'x' }],
      }),
      'route GET /orders//x: the path has an empty segment',
    ],
    [
      'a partial-segment parameter',
      with_({
        routes: [
          { method: 'GET', path: '/files/{name}.csv', function: 'ping', roles: 'public', summary: 'x' },
        ],
      }),
      'route GET /files/{name}.csv: segment "{name}.csv" must be a literal or a whole {parameter}',
    ],
    [
      'a parameter used twice',
      with_({
        routes: [{ method: 'GET', path: '/a/{id}/b/{id}', function: 'ping', roles: 'public', summary: 'x' }],
      }),
      'route GET /a/{id}/b/{id}: path parameter {id} appears twice',
    ],
    [
      'a greedy parameter before the end',
      with_({
        routes: [{ method: 'GET', path: '/a/{rest+}/b', function: 'ping', roles: 'public', summary: 'x' }],
      }),
      'route GET /a/{rest+}/b: the greedy parameter {rest+} must be the last segment',
    ],
    [
      'a params schema that does not match the path',
      with_({
        routes: [
          {
            method: 'GET',
            path: '/orders/{id}',
            function: 'ping',
            roles: 'public',
            summary: 'x',
            params: z.object({ orderId: z.string() }),
          },
        ],
      }),
      'route GET /orders/{id}: params schema declares {orderId} but the path has {id}',
    ],
    [
      'two routes that match the same requests',
      with_({
        routes: [
          ...orders.routes,
          { method: 'GET', path: '/orders/{orderId}', function: 'ping', roles: 'public', summary: 'x' },
        ],
      }),
      'route GET /orders/{orderId} is declared twice (as GET /orders/{id})',
    ],
    [
      'a name that cannot be part of AWS names',
      with_({ queues: { ...orders.queues, Jobs_1: { consumer: 'ping' } } }),
      'queue name "Jobs_1" must be kebab-case',
    ],
  ])('rejects %s', (_what, m, message) => {
    expect(check(m)).toThrow(ManifestError)
    expect(check(m)).toThrow(`Service manifest orders: ${message}`)
  })

  it('rejects one service registered twice, and one route declared by two services', () => {
    expect(() => validateServices([orders, orders], MANIFEST_CHECKERS)).toThrow(
      'Service manifest orders: service orders is registered twice',
    )
    const billing = { ...orders, name: 'billing', routes: [orders.routes[1]!] }
    expect(() => validateServices([orders, billing], MANIFEST_CHECKERS)).toThrow(
      'Service manifest billing: route GET /orders/{id} is declared by both orders and billing',
    )
  })
})

describe('the CDK app and the local runtime reject a bad manifest alike', () => {
  const bad = with_({ queues: { ...orders.queues, jobs: { consumer: 'nope' } } })
  const message = 'Service manifest orders: queue "jobs" names unknown function "nope"'

  it('in buildCrmApp', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } })
    expect(() =>
      buildCrmApp(app, {
        stage: resolveStage('dev'),
        services: [{ ...fixtureServices[0]!, manifest: bad }],
        outboxPublisherEntry: fixtureOutboxPublisher,
        queuePublisherEntry: fixtureQueuePublisher,
      }),
    ).toThrow(message)
  })

  it('in startLocal, before it starts anything', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'relay-manifest-'))
    await expect(
      startLocal({ port: 0, dataDir, quiet: true, services: [{ ...fixtureServices[0]!, manifest: bad }] }),
    ).rejects.toThrow(message)
  })
})
