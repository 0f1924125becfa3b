/**
 * The outbox publishers of each `outbox: true` table, in the data stack next to its table (a stream
 * ARN carries a creation label, so it cannot be built from a name). Two functions, one job each,
 * both reading the table's stream:
 *
 * - the event publisher (`Outbox-<table>-Publisher`, entry `packages/core/src/outbox-publisher.ts`):
 *   new event items (`kind = outbox`) to the bus; granted PutEvents on the stage bus and nothing else;
 * - the queue publisher (`Outbox-<table>-QueuePublisher`, entry `packages/core/src/queue-publisher.ts`),
 *   only when the service declares work queues: new queue-outbox items (`kind = queue`) to their
 *   work queue. It may send to the queues that the functions writing its table list in `sendsTo`
 *   ("may enqueue"), with their URLs in its env, and to no other; it gets no bus access.
 *
 * Each has its own event-source filter, dead-letter queue (on-failure destination) and the same
 * bisect/retry settings, so a failing bus never holds back work messages, nor the reverse.
 */
import type { ServiceManifest } from '@relay/core/manifest'
import { outboxFunctionName, queueEnvVar, queuePublisherFunctionName } from '@relay/core/names'
import { Duration, type Stack, Validations } from 'aws-cdk-lib'
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources'
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs'
import { pascal, type ServiceContext, stageBus } from './context.js'
import { createFunction, DEFAULT_MEMORY_MB } from './functions.js'
import { addDeadLetterQueue, namedWorkQueue } from './queues.js'

const TIMEOUT_SECONDS = 30

/**
 * The queues whose messages can reach table `tableName`'s outbox: those in the `sendsTo` of a
 * function that writes the table (no `tables` = every table, read/write).
 */
export function queuesEnqueuedVia(manifest: ServiceManifest, tableName: string): string[] {
  const queues = new Set<string>()
  for (const def of Object.values(manifest.functions)) {
    const access = def.tables ? def.tables[tableName] : 'write'
    if (access === 'write') for (const q of def.sendsTo ?? []) queues.add(q)
  }
  return [...queues].sort()
}

/** Whether table `tableName` gets a queue publisher: its service declares work queues. */
export function hasQueuePublisher(manifest: ServiceManifest): boolean {
  return Object.keys(manifest.queues ?? {}).length > 0
}

export interface OutboxPublishers {
  /** Puts event items on the bus. */
  events: NodejsFunction
  /** Sends queue-outbox items; absent when the service declares no queues. */
  queue?: NodejsFunction
}

export function addOutboxPublishers(
  scope: Stack,
  ctx: ServiceContext,
  tableName: string,
  table: dynamodb.Table,
): OutboxPublishers {
  // DynamoDB streams serve at most two readers per shard (more are throttled); these two use it
  // exactly, so nothing else may read an outbox table's stream.
  const events = addEventPublisher(scope, ctx, tableName, table)
  const queue = hasQueuePublisher(ctx.manifest) ? addQueuePublisher(scope, ctx, tableName, table) : undefined
  return queue ? { events, queue } : { events }
}

function addEventPublisher(
  scope: Stack,
  ctx: ServiceContext,
  tableName: string,
  table: dynamodb.Table,
): NodejsFunction {
  const id = `Outbox-${tableName}`
  const fn = createFunction(scope, ctx, `${id}-Publisher`, {
    functionName: outboxFunctionName(ctx.stage.name, ctx.manifest.name, tableName),
    what: `outbox-${tableName}`,
    entry: ctx.outboxPublisherEntry,
    memoryMb: DEFAULT_MEMORY_MB,
    timeoutSeconds: TIMEOUT_SECONDS,
    environment: {},
  })
  addStreamSource(scope, ctx, fn, table, {
    failuresId: `${id}-Failures`,
    alarm: `outbox-${tableName}-dlq`,
    what: `outbox stream batches (events) of table ${tableName}`,
    kind: 'outbox',
  })
  stageBus(scope, ctx).grantPutEventsTo(fn)
  return fn
}

function addQueuePublisher(
  scope: Stack,
  ctx: ServiceContext,
  tableName: string,
  table: dynamodb.Table,
): NodejsFunction {
  const id = `Outbox-${tableName}`
  const queues = queuesEnqueuedVia(ctx.manifest, tableName).map(
    (q) => [q, namedWorkQueue(scope, ctx, q)] as const,
  )
  const fn = createFunction(scope, ctx, `${id}-QueuePublisher`, {
    functionName: queuePublisherFunctionName(ctx.stage.name, ctx.manifest.name, tableName),
    what: `outbox-${tableName}-queue`,
    entry: ctx.queuePublisherEntry,
    memoryMb: DEFAULT_MEMORY_MB,
    timeoutSeconds: TIMEOUT_SECONDS,
    environment: Object.fromEntries(
      queues.map(([q, queue]) => [queueEnvVar(ctx.manifest.name, q), queue.queueUrl]),
    ),
  })
  for (const [q, queue] of queues) {
    // SendMessage alone (it covers SendMessageBatch): the URL comes from the env, so no GetQueueUrl.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: `SendTo${pascal(q)}Queue`,
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
      }),
    )
  }
  addStreamSource(scope, ctx, fn, table, {
    failuresId: `${id}-QueueFailures`,
    alarm: `outbox-${tableName}-queue-dlq`,
    what: `outbox stream batches (work messages) of table ${tableName}`,
    kind: 'queue',
  })
  return fn
}

/**
 * The stream event source of one publisher: only INSERTs of outbox items of `kind` start it
 * (entity writes, TTL deletions and the other publisher's items never invoke it), with partial
 * batch failures, bisection, 10 retries, then the batch to its own dead-letter queue.
 */
function addStreamSource(
  scope: Stack,
  ctx: ServiceContext,
  fn: NodejsFunction,
  table: dynamodb.Table,
  options: { failuresId: string; alarm: string; what: string; kind: 'outbox' | 'queue' },
): void {
  const failures = addDeadLetterQueue(scope, ctx, options.failuresId, options.alarm, options.what)
  fn.addEventSource(
    new DynamoEventSource(table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: 10,
      onFailure: new SqsDlq(failures),
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { kind: { S: lambda.FilterRule.isEqual(options.kind) } } },
        }),
      ],
    }),
  )
  Validations.of(fn.role!).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'dynamodb:ListStreams (added by the DynamoDB event source) supports no resource-level permissions; stream reads are scoped to this table.',
  })
}
