/**
 * One outbox publisher per `outbox: true` table, in the data stack next to its table (a stream ARN
 * carries a creation label, so it cannot be built from a name): new outbox items on the stream are
 * put on the bus (events) or sent to their work queue (queue-outbox items), failures go to a
 * dead-letter queue. The publisher may send to the queues that the functions writing its table
 * list in `sendsTo` ("may enqueue"), with their URLs in its env, and to no other.
 */
import type { ServiceManifest } from '@relay/core/manifest'
import { outboxFunctionName, queueEnvVar } from '@relay/core/names'
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

export function addOutboxPublisher(
  scope: Stack,
  ctx: ServiceContext,
  tableName: string,
  table: dynamodb.Table,
): NodejsFunction {
  const id = `Outbox-${tableName}`
  const queues = queuesEnqueuedVia(ctx.manifest, tableName).map(
    (q) => [q, namedWorkQueue(scope, ctx, q)] as const,
  )
  const fn = createFunction(scope, ctx, `${id}-Publisher`, {
    functionName: outboxFunctionName(ctx.stage.name, ctx.manifest.name, tableName),
    what: `outbox-${tableName}`,
    entry: ctx.outboxPublisherEntry,
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
  const failures = addDeadLetterQueue(
    scope,
    ctx,
    `${id}-Failures`,
    `outbox-${tableName}-dlq`,
    `outbox stream batches of table ${tableName}`,
  )
  fn.addEventSource(
    new DynamoEventSource(table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: 10,
      onFailure: new SqsDlq(failures),
      // Only new outbox items (events, work messages) start the publisher; entity writes and TTL
      // deletions never invoke it.
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { kind: { S: lambda.FilterRule.or('outbox', 'queue') } } },
        }),
      ],
    }),
  )
  stageBus(scope, ctx).grantPutEventsTo(fn)
  Validations.of(fn.role!).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'dynamodb:ListStreams (added by the DynamoDB event source) supports no resource-level permissions; stream reads are scoped to this table.',
  })
  return fn
}
