/**
 * EventBridge: one rule per subscription (on the stage's bus, pattern copied verbatim) and per
 * schedule (on the default bus), in the stack of the function it targets; each target has its own
 * dead-letter queue and retry policy.
 */
import { ruleName } from '@relay/core/names'
import { Duration, type Stack } from 'aws-cdk-lib'
import * as events from 'aws-cdk-lib/aws-events'
import * as targets from 'aws-cdk-lib/aws-events-targets'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import { limitedName, type ServiceContext, stageBus } from './context.js'
import { addDeadLetterQueue } from './queues.js'

/** EventBridge retries a failed delivery for up to 24 hours; 185 attempts is its maximum. */
const RETRY_ATTEMPTS = 185

/** The subscriptions and schedules that target `functionName`. */
export function addRules(
  scope: Stack,
  ctx: ServiceContext,
  functionName: string,
  fn: lambda.IFunction,
): void {
  const { manifest, stage } = ctx
  for (const sub of manifest.subscriptions.filter((s) => s.function === functionName)) {
    const rule = new events.Rule(scope, `Subscription-${sub.name}`, {
      ruleName: limitedName(ruleName(stage.name, manifest.name, sub.name)),
      description: `${manifest.name}: ${sub.name} → ${sub.function}`,
      eventBus: stageBus(scope, ctx),
      eventPattern: sub.pattern as events.EventPattern,
    })
    // The L2 merges and renames keys of a pattern; the manifest's pattern goes to CloudFormation as written.
    ;(rule.node.defaultChild as events.CfnRule).eventPattern = sub.pattern
    addTarget(scope, ctx, rule, `Subscription-${sub.name}`, sub.name, fn)
  }
  for (const schedule of manifest.schedules.filter((s) => s.function === functionName)) {
    const rule = new events.Rule(scope, `Schedule-${schedule.name}`, {
      ruleName: limitedName(ruleName(stage.name, manifest.name, schedule.name)),
      description: `${manifest.name}: ${schedule.name} (${schedule.expression}) → ${schedule.function}`,
      schedule: events.Schedule.expression(schedule.expression),
    })
    addTarget(scope, ctx, rule, `Schedule-${schedule.name}`, schedule.name, fn)
  }
}

function addTarget(
  scope: Stack,
  ctx: ServiceContext,
  rule: events.Rule,
  id: string,
  name: string,
  fn: lambda.IFunction,
): void {
  const dlq = addDeadLetterQueue(scope, ctx, `${id}-Dlq`, `rule-${name}-dlq`, `rule ${rule.node.id}`)
  rule.addTarget(
    new targets.LambdaFunction(fn, {
      deadLetterQueue: dlq,
      retryAttempts: RETRY_ATTEMPTS,
      maxEventAge: Duration.hours(24),
    }),
  )
}
