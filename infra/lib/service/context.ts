/**
 * What every part of a service's stacks needs to know, and the few helpers they share. A service is
 * built into a data stack (`crm-<stage>-<service>`) and function stacks (`crm-<stage>-<service>-<n>`);
 * the modules next to this file add one kind of resource each to whichever stack they are given.
 */
import type { ServiceManifest } from '@relay/core/manifest'
import { busName, servicePrefix, sharedNames } from '@relay/core/names'
import { ArnFormat, Stack } from 'aws-cdk-lib'
import * as events from 'aws-cdk-lib/aws-events'
import * as sns from 'aws-cdk-lib/aws-sns'
import type { SharedStack } from '../shared-stack.js'
import type { StageConfig } from '../stages.js'

export interface ServiceContext {
  stage: StageConfig
  shared: SharedStack
  manifest: ServiceManifest
  /** Absolute path of the service folder; function entries are relative to `<root>/src`. */
  root: string
  /** Absolute path of the shared outbox publisher entry (`packages/core/src/outbox-publisher.ts`). */
  outboxPublisherEntry: string
  /** Absolute path of the shared queue publisher entry (`packages/core/src/queue-publisher.ts`). */
  queuePublisherEntry: string
}

/** Lambda and EventBridge rule names are limited to 64 characters. */
const MAX_NAME_LENGTH = 64

/** The name when it fits the 64-character limit; otherwise `undefined` so CloudFormation generates one. */
export function limitedName(name: string): string | undefined {
  return name.length <= MAX_NAME_LENGTH ? name : undefined
}

export function prefixOf(ctx: ServiceContext): string {
  return servicePrefix(ctx.stage.name, ctx.manifest.name)
}

export function pascal(s: string): string {
  return s.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase())
}

/** A string as cdk-nag names it in a finding: each unresolved token as `<Name>`, e.g. `<AWS::Partition>`. */
export function nagArn(scope: Stack, value: string): string {
  const resolved = scope.resolve(value) as unknown
  const parts = (
    typeof resolved === 'string'
      ? [resolved]
      : (resolved as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
  ) as unknown[]
  return parts.map((p) => (typeof p === 'string' ? p : `<${(p as { Ref: string }).Ref}>`)).join('')
}

/**
 * The stage's bus, named rather than referenced: its name is fixed (`crm-<stage>`), so a service
 * stack needs no export of the shared stack to address it, and the shared stack stays free to change.
 */
export function stageBus(scope: Stack, ctx: ServiceContext): events.IEventBus {
  const id = 'StageBus'
  return (
    (scope.node.tryFindChild(id) as events.IEventBus | undefined) ??
    events.EventBus.fromEventBusName(scope, id, busName(ctx.stage.name))
  )
}

/** The stage's alarm topic by its fixed name, when the stage has alarms. */
export function alarmTopic(scope: Stack, ctx: ServiceContext): sns.ITopic | undefined {
  if (!ctx.stage.alarms) return undefined
  const id = 'StageAlarmTopic'
  return (
    (scope.node.tryFindChild(id) as sns.ITopic | undefined) ??
    sns.Topic.fromTopicArn(
      scope,
      id,
      Stack.of(scope).formatArn({
        service: 'sns',
        resource: sharedNames(ctx.stage.name).alarmTopic,
        arnFormat: ArnFormat.NO_RESOURCE_NAME,
      }),
    )
  )
}
