/**
 * Builds every stack of a stage from the service registry. The CDK entry (`infra/bin/app.ts`) and
 * the tests both call {@link buildCrmApp}, so what the tests assert is what `cdk deploy` ships.
 */
import { fileURLToPath } from 'node:url'
import type { ServiceManifest } from '@relay/core/manifest'
import { type ManifestCheckers, validateServices } from '@relay/core/manifest-validation'
import { functionStackName, serviceStackName, sharedNames } from '@relay/core/names'
import { validatePattern } from '@relay/local/bus/pattern'
import { parseSchedule } from '@relay/local/scheduler'
import { type App, type Environment, type Stack, Tags, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { planService } from './service/budget.js'
import type { ServiceContext } from './service/context.js'
import { dataStackIsEmpty, ServiceDataStack, ServiceFunctionStack } from './service/stacks.js'
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
  /** Default: `packages/core/src/queue-publisher.ts` of this repository. */
  queuePublisherEntry?: string
  env?: Environment
  alarmEmail?: string
  /** Registers cdk-nag AwsSolutions as a validation plugin: synthesis fails on an unacknowledged error. */
  nag?: boolean
  /** Resources a function stack may hold (default STACK_RESOURCE_BUDGET of service/budget.ts); tests lower it to see a service split. */
  stackResourceBudget?: number
}

/** The stacks of one service: its data stack (absent when it would be empty) and its function stacks. */
export interface ServiceStacks {
  manifest: ServiceManifest
  data?: ServiceDataStack
  functionStacks: ServiceFunctionStack[]
  /** Every stack of the service, data stack first. */
  stacks: Stack[]
}

export interface CrmStacks {
  shared: SharedStack
  services: ServiceStacks[]
}

export const DEFAULT_OUTBOX_PUBLISHER_ENTRY = fileURLToPath(
  new URL('../../packages/core/src/outbox-publisher.ts', import.meta.url),
)

export const DEFAULT_QUEUE_PUBLISHER_ENTRY = fileURLToPath(
  new URL('../../packages/core/src/queue-publisher.ts', import.meta.url),
)

/**
 * The grammars the local emulators implement (event-ruler patterns, EventBridge schedules): the
 * CDK app checks manifests with the same functions as `npm start`, so both reject the same manifests.
 */
export const MANIFEST_CHECKERS: ManifestCheckers = {
  eventPattern: validatePattern,
  scheduleExpression: parseSchedule,
}

/**
 * Adds the stage's stacks to `app`: `crm-<stage>-shared`, and per service that declares anything
 * its data stack `crm-<stage>-<service>` and function stacks `crm-<stage>-<service>-<n>` (see
 * `service/budget.ts` for how functions are spread).
 *
 * @throws ManifestError when a manifest is invalid or two services declare the same route.
 * @example buildCrmApp(new App(), { stage: resolveStage('dev'), services })
 */
export function buildCrmApp(app: App, options: BuildOptions): CrmStacks {
  const { stage, env } = options
  validateServices(
    options.services.map((s) => s.manifest),
    MANIFEST_CHECKERS,
  )
  Tags.of(app).add('app', 'relay-crm')
  Tags.of(app).add('stage', stage.name)

  const sharedName = sharedNames(stage.name).stack
  const shared = new SharedStack(app, sharedName, {
    stackName: sharedName,
    description: `Relay CRM ${stage.name}: event bus, user pool, HTTP API`,
    stage,
    env,
    alarmEmail: options.alarmEmail,
  })
  const services = options.services
    .filter(({ manifest }) => !isEmpty(manifest))
    .map(({ manifest, root }): ServiceStacks => {
      const context: ServiceContext = {
        stage,
        shared,
        manifest,
        root,
        outboxPublisherEntry: options.outboxPublisherEntry ?? DEFAULT_OUTBOX_PUBLISHER_ENTRY,
        queuePublisherEntry: options.queuePublisherEntry ?? DEFAULT_QUEUE_PUBLISHER_ENTRY,
      }
      const plan = planService(manifest, options.stackResourceBudget)
      const describe = (what: string) => `Relay CRM ${stage.name}: service ${manifest.name}, ${what}`
      const stacks: Stack[] = []
      let data: ServiceDataStack | undefined
      if (!dataStackIsEmpty(context, plan.dataFunctions)) {
        const name = serviceStackName(stage.name, manifest.name)
        data = new ServiceDataStack(app, name, {
          stackName: name,
          description: describe('data (tables, buckets, queues, outbox)'),
          env,
          context,
          functions: plan.dataFunctions,
        })
        stacks.push(data)
      }
      const functionStacks = [...plan.functionStacks].map(([n, functions]) => {
        const name = functionStackName(stage.name, manifest.name, n)
        return new ServiceFunctionStack(app, name, {
          stackName: name,
          description: describe(`functions ${n}`),
          env,
          context,
          functions,
        })
      })
      for (const stack of functionStacks) {
        // One after the other: a function that moves to another stack keeps its name, so the stack it
        // leaves must have deleted it before the next one creates it (see service/budget.ts).
        const previous = stacks.at(-1)
        if (previous) stack.addStackDependency(previous, 'functions address the data stack by name')
        stacks.push(stack)
      }
      for (const stack of stacks)
        stack.addStackDependency(shared, 'service stacks use the bus, API and alarm topic')
      return { manifest, data, functionStacks, stacks }
    })
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return { shared, services }
}

/** True when a manifest declares no table and no function, so nothing of it would be deployed. */
export function isEmpty(manifest: ServiceManifest): boolean {
  return (
    Object.keys(manifest.tables).length === 0 &&
    Object.keys(manifest.functions).length === 0 &&
    Object.keys(manifest.buckets ?? {}).length === 0 &&
    Object.keys(manifest.queues ?? {}).length === 0
  )
}
