/**
 * Builds the CDK app for tests. Bundling is skipped (context `aws:cdk:bundling-stacks: []`) unless a
 * test asks for it: esbuild over every function is what `npm run synth` and bundle.test.ts are for.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { App, type Stack } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { buildCrmApp, type CrmStacks, type ServiceEntry } from '../../infra/lib/crm-app.js'
import { resolveStage, type StageName } from '../../infra/lib/stages.js'
import { manifest as orders } from './fixtures/orders/src/service.js'

export const fixtureServices: ServiceEntry[] = [
  { manifest: orders, root: fileURLToPath(new URL('./fixtures/orders', import.meta.url)) },
]
export const fixtureOutboxPublisher = fileURLToPath(
  new URL('./fixtures/outbox-publisher.ts', import.meta.url),
)
export const fixtureQueuePublisher = fileURLToPath(new URL('./fixtures/queue-publisher.ts', import.meta.url))

export interface Built extends CrmStacks {
  app: App
  /** Every stack of the app, shared first. */
  stacks: Stack[]
  template(stackName: string): Template
  /**
   * All stacks of one service as one template (their resources merged; logical ids must not clash),
   * so that checks of a whole service hold however its functions are spread over stacks.
   */
  service(name: string): Template
}

/** Builds (and synthesizes) the stacks of `stage` for `services`. */
export function build(
  stage: StageName,
  services: readonly ServiceEntry[],
  options: {
    bundleStacks?: string[]
    outboxPublisherEntry?: string
    queuePublisherEntry?: string
    /** Adds AWS::CDK::Metadata to every template, as the CDK CLI does (for resource counts). */
    versionReporting?: boolean
    stackResourceBudget?: number
  } = {},
): Built {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'relay-cdk-')),
    analyticsReporting: options.versionReporting ?? false,
    context: {
      'aws:cdk:bundling-stacks': options.bundleStacks ?? [],
      // Same as cdk.json: cross-stack references stay CloudFormation exports.
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
    },
  })
  const stacks = buildCrmApp(app, {
    stage: resolveStage(stage),
    services,
    outboxPublisherEntry: options.outboxPublisherEntry,
    queuePublisherEntry: options.queuePublisherEntry,
    stackResourceBudget: options.stackResourceBudget,
    env: { account: '123456789012', region: 'eu-west-1' },
  })
  const templates = new Map<string, Template>()
  const merged = new Map<string, Template>()
  const all: Stack[] = [stacks.shared, ...stacks.services.flatMap((s) => s.stacks)]
  const template = (stackName: string) => {
    let t = templates.get(stackName)
    if (!t) {
      const stack = all.find((s) => s.stackName === stackName)
      if (!stack) throw new Error(`No stack ${stackName}`)
      t = Template.fromStack(stack)
      templates.set(stackName, t)
    }
    return t
  }
  return {
    ...stacks,
    app,
    stacks: all,
    template,
    service(name) {
      let t = merged.get(name)
      if (!t) {
        const service = stacks.services.find((s) => s.manifest.name === name)
        if (!service) throw new Error(`No service ${name}`)
        const resources: Record<string, unknown> = {}
        for (const stack of service.stacks) {
          const own = (template(stack.stackName).toJSON() as { Resources?: Record<string, unknown> })
            .Resources
          for (const [id, r] of Object.entries(own ?? {})) {
            // Every stack carries its own metadata resource when version reporting is on.
            if ((r as { Type: string }).Type === 'AWS::CDK::Metadata') continue
            if (id in resources) throw new Error(`Logical id ${id} is in two stacks of ${name}`)
            resources[id] = r
          }
        }
        t = Template.fromJSON({ Resources: resources })
        merged.set(name, t)
      }
      return t
    },
  }
}
