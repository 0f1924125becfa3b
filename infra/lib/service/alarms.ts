/**
 * CloudWatch alarms of a service (staging and prod; DESIGN §6): one per function on errors +
 * throttles, one per dead-letter queue on its depth, each notifying the stage's alarm topic.
 */
import { alarmName } from '@relay/core/names'
import { Duration, type Stack } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import { alarmTopic, prefixOf, type ServiceContext } from './context.js'

const PERIOD = Duration.minutes(5)

/**
 * One alarm on errors + throttles (metric math), not one each: a service with 50 functions would
 * otherwise spend 100 of its stacks' resources on alarms. `what` names it: `function-<name>`.
 */
export function addFunctionAlarm(
  scope: Stack,
  ctx: ServiceContext,
  id: string,
  what: string,
  fn: lambda.IFunction,
): void {
  const topic = alarmTopic(scope, ctx)
  if (!topic) return
  new cloudwatch.Alarm(scope, `${id}-FailingAlarm`, {
    alarmName: alarmName(ctx.stage.name, ctx.manifest.name, `${what}-failing`),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `${prefixOf(ctx)}: ${id} errors or throttles`,
    metric: new cloudwatch.MathExpression({
      expression: 'errors + throttles',
      label: 'errors + throttles',
      period: PERIOD,
      usingMetrics: {
        errors: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        throttles: fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      },
    }),
  }).addAlarmAction(new cwActions.SnsAction(topic))
}

/** Any message in a dead-letter queue is work that failed for good: alarm at the first one. */
export function addDepthAlarm(
  scope: Stack,
  ctx: ServiceContext,
  id: string,
  what: string,
  description: string,
  queue: sqs.IQueue,
): void {
  const topic = alarmTopic(scope, ctx)
  if (!topic) return
  new cloudwatch.Alarm(scope, `${id}-DepthAlarm`, {
    alarmName: alarmName(ctx.stage.name, ctx.manifest.name, `${what}-depth`),
    alarmDescription: `${prefixOf(ctx)}: messages waiting in the dead-letter queue of ${description}`,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }).addAlarmAction(new cwActions.SnsAction(topic))
}
