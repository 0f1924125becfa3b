/**
 * Builds every stack of a stage from the service registry. The CDK entry (`infra/bin/app.ts`) and
 * the tests both call {@link buildCrmApp}, so what the tests assert is what `cdk deploy` ships.
 */
import { fileURLToPath } from 'node:url'
import type { ServiceManifest } from '@relay/core/manifest'
import { type App, type Environment, Tags, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { ServiceStack } from './service-stack.js'
import { SharedStack } from './shared-stack.js'
import type { StageConfig } from './stages.js'

/** Same shape as `RegisteredService` of `services/index.ts`. */
export interface ServiceEntry {
  manifest: ServiceManifest
  /** Absolute path of the service folder (holds `src/`). */
  root: string
}

export interface BuildOptions {
  stage: StageConfig
  services: readonly ServiceEntry[]
  /** Default: `packages/core/src/outbox-publisher.ts` of this repository. */
  outboxPublisherEntry?: string
  env?: Environment
  alarmEmail?: string
  /** Registers cdk-nag AwsSolutions as a validation plugin: synthesis fails on an unacknowledged error. */
  nag?: boolean
}

export interface CrmStacks {
  shared: SharedStack
  services: ServiceStack[]
}

export const DEFAULT_OUTBOX_PUBLISHER_ENTRY = fileURLToPath(
  new URL('../../packages/core/src/outbox-publisher.ts', import.meta.url),
)

/**
 * Adds the stage's stacks to `app`: `crm-<stage>-shared` and one `crm-<stage>-<service>` per manifest
 * that declares at least one table or function.
 *
 * @throws Error when two services declare the same route, or a manifest references something it does not declare.
 * @example buildCrmApp(new App(), { stage: resolveStage('dev'), services })
 */
export function buildCrmApp(app: App, options: BuildOptions): CrmStacks {
  const { stage, env } = options
  assertUniqueRoutes(options.services)
  Tags.of(app).add('app', 'relay-crm')
  Tags.of(app).add('stage', stage.name)

  const sharedName = `crm-${stage.name}-shared`
  const shared = new SharedStack(app, sharedName, {
    stackName: sharedName,
    description: `Relay CRM ${stage.name}: event bus, user pool, HTTP API`,
    stage,
    env,
    alarmEmail: options.alarmEmail,
  })
  // A manifest with nothing to deploy yet gets no stack: CloudFormation rejects a template without resources.
  const deployable = options.services.filter(({ manifest }) => !isEmpty(manifest))
  const services = deployable.map(({ manifest, root }) => {
    const name = `crm-${stage.name}-${manifest.name}`
    const stack = new ServiceStack(app, name, {
      stackName: name,
      description: `Relay CRM ${stage.name}: service ${manifest.name}`,
      env,
      stage,
      shared,
      manifest,
      root,
      outboxPublisherEntry: options.outboxPublisherEntry ?? DEFAULT_OUTBOX_PUBLISHER_ENTRY,
    })
    stack.addStackDependency(shared)
    return stack
  })
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return { shared, services }
}

/** True when a manifest declares no table and no function, so nothing of it would be deployed. */
export function isEmpty(manifest: ServiceManifest): boolean {
  return Object.keys(manifest.tables).length === 0 && Object.keys(manifest.functions).length === 0
}

function assertUniqueRoutes(services: readonly ServiceEntry[]): void {
  const owners = new Map<string, string>()
  for (const { manifest } of services) {
    if (owners.has(`service:${manifest.name}`))
      throw new Error(`Service ${manifest.name} is registered twice`)
    owners.set(`service:${manifest.name}`, manifest.name)
    for (const r of manifest.routes) {
      const key = `${r.method} ${r.path}`
      const owner = owners.get(key)
      if (owner) throw new Error(`Route ${key} is declared by both ${owner} and ${manifest.name}`)
      owners.set(key, manifest.name)
    }
  }
}
