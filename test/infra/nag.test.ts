/**
 * cdk-nag AwsSolutions over the synthesized app (cdk-nag 3: a validation plugin; findings are
 * acknowledged with Validations.of(...).acknowledge, each with its reason).
 */
import { Stack, Validations } from 'aws-cdk-lib'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import { AwsSolutionsChecks } from 'cdk-nag'
import { describe, expect, it } from 'vitest'
import { services } from '../../services/index.js'
import {
  type Built,
  build,
  fixtureOutboxPublisher,
  fixtureQueuePublisher,
  fixtureServices,
} from './helpers.js'

function errorsOf(built: Built): string[] {
  built.app.synth()
  const report = new AwsSolutionsChecks().validateScope(built.app)
  return report.violations
    .filter((v) => v.severity === 'error')
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}: ${v.description}`))
}

describe.each(['dev', 'prod'] as const)('cdk-nag AwsSolutions in %s', (stage) => {
  it('finds no unacknowledged error in the fixture app', () => {
    expect(
      errorsOf(
        build(stage, fixtureServices, {
          outboxPublisherEntry: fixtureOutboxPublisher,
          queuePublisherEntry: fixtureQueuePublisher,
        }),
      ),
    ).toEqual([])
  }, 120_000)

  it('finds no unacknowledged error in the registered services', () => {
    expect(errorsOf(build(stage, services))).toEqual([])
  }, 120_000)
})

describe('cdk-nag wiring', () => {
  it('reports a violation nobody acknowledged (the check is live)', () => {
    // Prepare
    const built = build('dev', fixtureServices, {
      outboxPublisherEntry: fixtureOutboxPublisher,
      queuePublisherEntry: fixtureQueuePublisher,
    })
    new sqs.Queue(built.shared, 'PlainQueue')
    // Act
    const errors = errorsOf(built)
    // Assess
    expect(errors.some((e) => e.startsWith('AwsSolutions-SQS4 crm-dev-shared/PlainQueue'))).toBe(true)
  })

  it('gives every acknowledgement a specific reason', () => {
    // Prepare
    const built = build('prod', fixtureServices, {
      outboxPublisherEntry: fixtureOutboxPublisher,
      queuePublisherEntry: fixtureQueuePublisher,
    })
    const reasons: string[] = []
    // Act
    for (const c of built.app.node.findAll()) {
      for (const entry of c.node.metadata) {
        if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
          reasons.push(...Object.values(entry.data as Record<string, string>))
        }
      }
    }
    // Assess
    expect(reasons.length).toBeGreaterThan(0)
    for (const r of reasons) expect(r.length, r).toBeGreaterThan(40)
  })

  it('fails synthesis of the real entry when a violation is left unacknowledged', async () => {
    // Prepare: the same plugin registration infra/bin/app.ts uses (nag: true).
    const { App } = await import('aws-cdk-lib')
    const { buildCrmApp } = await import('../../infra/lib/crm-app.js')
    const { resolveStage } = await import('../../infra/lib/stages.js')
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } })
    const stacks = buildCrmApp(app, {
      stage: resolveStage('dev'),
      services: fixtureServices,
      outboxPublisherEntry: fixtureOutboxPublisher,
      queuePublisherEntry: fixtureQueuePublisher,
      nag: true,
    })
    new sqs.Queue(Stack.of(stacks.shared), 'PlainQueue')
    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/)
  })
})
