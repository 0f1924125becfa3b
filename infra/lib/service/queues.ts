/**
 * SQS: the service's work queues (`manifest.queues`, each with its dead-letter queue) in the data
 * stack; their consumers' event sources and their senders' grants wherever those functions live;
 * and the dead-letter queues of rules, async invocations and outbox streams.
 */

import type { QueueDef } from '@relay/core/manifest'
import { functionTimeoutSeconds } from '@relay/core/manifest-validation'
import { deadLetterQueueName, physicalQueueName } from '@relay/core/names'
import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import { addDepthAlarm } from './alarms.js'
import type { ServiceContext } from './context.js'

/** What SQS keeps at most: a dead letter waits two weeks for someone to look at it and redrive it. */
const DEAD_LETTER_RETENTION = Duration.days(14)
/** SQS's own default, stated: work not picked up in four days is better failed loudly than done late. */
const WORK_RETENTION = Duration.days(4)
const DEFAULT_MAX_RECEIVE_COUNT = 5
/** AWS's advice for a queue that feeds a Lambda event source: six times the function's timeout. */
const VISIBILITY_PER_TIMEOUT = 6
const DEFAULT_BATCH_SIZE = 10
/** SQS queue names are limited to 80 characters. */
const MAX_QUEUE_NAME_LENGTH = 80

/** A dead-letter queue (SSE, TLS only, 14 days) with its depth alarm; `what` is for people, `alarm` names the alarm. */
export function addDeadLetterQueue(
  scope: Stack,
  ctx: ServiceContext,
  id: string,
  alarm: string,
  what: string,
  props: sqs.QueueProps = {},
): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: DEAD_LETTER_RETENTION,
    ...props,
  })
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue (${what}); a DLQ of a DLQ would only move the problem.`,
  })
  addDepthAlarm(scope, ctx, id, alarm, what, queue)
  return queue
}

/**
 * A work queue `crm-<stage>-<service>-<queue>` and its dead-letter queue `…-dlq`: SSE, TLS only,
 * visibility 6 × the consumer's timeout unless the manifest says, moved to the DLQ after
 * `maxReceiveCount` (5) receives; the DLQ accepts dead letters of this queue only.
 */
export function addWorkQueue(scope: Stack, ctx: ServiceContext, name: string, def: QueueDef): sqs.Queue {
  const { stage, manifest } = ctx
  const queueName = physicalQueueName(stage.name, manifest.name, name)
  const dlqName = deadLetterQueueName(stage.name, manifest.name, name)
  if (dlqName.length > MAX_QUEUE_NAME_LENGTH)
    throw new Error(
      `Service manifest ${manifest.name}: queue "${name}" would be named ${dlqName}, over SQS's ${MAX_QUEUE_NAME_LENGTH} characters; use a shorter queue name`,
    )
  const dlq = addDeadLetterQueue(scope, ctx, `Queue-${name}-Dlq`, `queue-${name}-dlq`, `work queue ${name}`, {
    queueName: dlqName,
    redriveAllowPolicy: {
      redrivePermission: sqs.RedrivePermission.BY_QUEUE,
      // By ARN: a reference to the source queue would cycle (its redrive policy names this queue).
      sourceQueues: [sqs.Queue.fromQueueArn(scope, `Queue-${name}-Source`, queueArn(scope, queueName))],
    },
  })
  const timeout = functionTimeoutSeconds(manifest, def.consumer)
  return new sqs.Queue(scope, `Queue-${name}`, {
    queueName,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: WORK_RETENTION,
    visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds ?? VISIBILITY_PER_TIMEOUT * timeout),
    deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT },
  })
}

function queueArn(scope: Stack, queueName: string): string {
  return Stack.of(scope).formatArn({ service: 'sqs', resource: queueName })
}

/**
 * A work queue addressed by its fixed name (ARN and URL built from it), as senders see it from any
 * stack of the service: nothing is exported for it, and a sender needs no deploy order.
 */
export function namedWorkQueue(scope: Stack, ctx: ServiceContext, name: string): sqs.IQueue {
  const id = `NamedQueue-${name}`
  const existing = scope.node.tryFindChild(id) as sqs.IQueue | undefined
  if (existing) return existing
  const queueName = physicalQueueName(ctx.stage.name, ctx.manifest.name, name)
  return sqs.Queue.fromQueueAttributes(scope, id, {
    queueArn: queueArn(scope, queueName),
    queueName,
    queueUrl: `https://sqs.${scope.region}.${Aws.URL_SUFFIX}/${scope.account}/${queueName}`,
  })
}

/**
 * The queue a consumer's event source reads: the queue itself in the data stack (so CloudFormation
 * creates it first), by name in a function stack (which deploys after the data stack).
 */
export function consumedWorkQueue(scope: Stack, ctx: ServiceContext, name: string): sqs.IQueue {
  return (
    (scope.node.tryFindChild(`Queue-${name}`) as sqs.IQueue | undefined) ?? namedWorkQueue(scope, ctx, name)
  )
}

/**
 * The consumer's SQS event source: batches of `batchSize` (10), at most `maxConcurrency`
 * invocations, and partial batch failures, so one bad message is retried (and dead-lettered)
 * alone instead of with its whole batch.
 */
export function addQueueConsumer(fn: lambda.Function, queue: sqs.IQueue, def: QueueDef): void {
  fn.addEventSource(
    new SqsEventSource(queue, {
      batchSize: def.batchSize ?? DEFAULT_BATCH_SIZE,
      ...(def.maxConcurrency ? { maxConcurrency: def.maxConcurrency } : {}),
      reportBatchItemFailures: true,
    }),
  )
}
