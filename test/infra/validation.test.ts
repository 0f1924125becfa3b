/** Manifest mistakes fail synthesis with a message that names the service and the mistake. */
import type { ServiceManifest } from '@relay/core/manifest'
import { App } from 'aws-cdk-lib'
import { describe, expect, it } from 'vitest'
import { buildCrmApp, type ServiceEntry } from '../../infra/lib/crm-app.js'
import { resolveStage } from '../../infra/lib/stages.js'
import { fixtureOutboxPublisher, fixtureQueuePublisher, fixtureServices } from './helpers.js'

const orders = fixtureServices[0]!

function buildWith(services: ServiceEntry[]) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } })
  return () =>
    buildCrmApp(app, {
      stage: resolveStage('dev'),
      services,
      outboxPublisherEntry: fixtureOutboxPublisher,
      queuePublisherEntry: fixtureQueuePublisher,
    })
}

function variant(patch: Partial<ServiceManifest>, name = orders.manifest.name): ServiceEntry {
  return { root: orders.root, manifest: { ...orders.manifest, name, ...patch } }
}

describe('manifest validation', () => {
  it('rejects a function asking for a table its service does not declare', () => {
    const m = variant({
      functions: {
        ...orders.manifest.functions,
        spy: { entry: 'handlers/ping.ts', tables: { contacts: 'read' } },
      },
    })
    expect(buildWith([m])).toThrow('Service manifest orders: function "spy" asks for table "contacts"')
  })

  it('rejects a function asking for a bucket its service does not declare', () => {
    const m = variant({
      functions: {
        ...orders.manifest.functions,
        spy: { entry: 'handlers/ping.ts', buckets: { exports: 'read' } },
      },
    })
    expect(buildWith([m])).toThrow('Service manifest orders: function "spy" asks for bucket "exports"')
  })

  it('rejects object triggers naming an unknown bucket, or overlapping on one bucket', () => {
    const unknown = variant({
      objectTriggers: [{ name: 'x', bucket: 'nope', prefix: 'a/', function: 'on-receipt' }],
    })
    expect(buildWith([unknown])).toThrow('object trigger "x" names unknown bucket "nope"')
    const overlapping = variant({
      objectTriggers: [
        { name: 'a', bucket: 'receipts', prefix: 'incoming/', function: 'on-receipt' },
        { name: 'b', bucket: 'receipts', prefix: 'incoming/big/', function: 'on-receipt' },
      ],
    })
    expect(buildWith([overlapping])).toThrow('object triggers "a" and "b" overlap on bucket "receipts"')
  })

  it('rejects a bucket whose global name could pass S3 63 characters', () => {
    const m = variant(
      { buckets: { 'receipts-of-every-order-ever-placed': {} }, objectTriggers: [], queues: {} },
      'orders',
    )
    const withGrant = {
      ...m,
      manifest: {
        ...m.manifest,
        functions: {
          ping: {
            entry: 'handlers/ping.ts',
            buckets: { 'receipts-of-every-order-ever-placed': 'read' as const },
          },
        },
        routes: [],
        subscriptions: [],
        schedules: [],
      },
    }
    expect(buildWith([withGrant])).toThrow(
      /bucket "receipts-of-every-order-ever-placed" would be named .* over S3's 63/,
    )
  })

  it('rejects a route naming an unknown function', () => {
    const m = variant({
      routes: [{ method: 'GET', path: '/x', function: 'nope', roles: 'public', summary: 'x' }],
    })
    expect(buildWith([m])).toThrow('route GET /x names unknown function "nope"')
  })

  it('rejects the same route declared by two services', () => {
    const other = variant({}, 'billing')
    expect(buildWith([orders, other])).toThrow(
      'Service manifest billing: route POST /orders is declared by both orders and billing',
    )
  })

  it('gives a manifest with no table and no function no stack (CloudFormation rejects empty templates)', () => {
    // Prepare
    const empty = variant(
      {
        tables: {},
        functions: {},
        routes: [],
        subscriptions: [],
        schedules: [],
        buckets: {},
        objectTriggers: [],
        queues: {},
      },
      'empty',
    )
    // Act
    const stacks = buildWith([orders, empty])()
    // Assess
    expect(stacks.services.flatMap((s) => s.stacks.map((x) => x.stackName))).toEqual([
      'crm-dev-orders',
      'crm-dev-orders-1',
    ])
  })

  it('rejects an unknown stage before building anything', () => {
    expect(() => resolveStage('production')).toThrow(/Unknown stage/)
  })
})
