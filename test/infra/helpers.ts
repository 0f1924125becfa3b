/**
 * Builds the CDK app for tests. Bundling is skipped (context `aws:cdk:bundling-stacks: []`) unless a
 * test asks for it: esbuild over every function is what `npm run synth` and bundle.test.ts are for.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { App } from 'aws-cdk-lib'
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

export interface Built extends CrmStacks {
  app: App
  template(stackName: string): Template
}

/** Builds (and synthesizes) the stacks of `stage` for `services`. */
export function build(
  stage: StageName,
  services: readonly ServiceEntry[],
  options: { bundleStacks?: string[]; outboxPublisherEntry?: string } = {},
): Built {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'relay-cdk-')),
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
    env: { account: '123456789012', region: 'eu-west-1' },
  })
  const templates = new Map<string, Template>()
  const all = [stacks.shared, ...stacks.services]
  return {
    ...stacks,
    app,
    template(stackName) {
      let t = templates.get(stackName)
      if (!t) {
        const stack = all.find((s) => s.stackName === stackName)
        if (!stack) throw new Error(`No stack ${stackName}`)
        t = Template.fromStack(stack)
        templates.set(stackName, t)
      }
      return t
    },
  }
}
