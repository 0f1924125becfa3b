/**
 * One outbox publisher per `outbox: true` table, in the data stack next to its table (a stream ARN
 * carries a creation label, so it cannot be built from a name): new outbox items on the stream are
 * put on the bus, failures go to a dead-letter queue.
 */
import { outboxFunctionName } from '@relay/core/names'
import { Duration, type Stack, Validations } from 'aws-cdk-lib'
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources'
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs'
import { type ServiceContext, stageBus } from './context.js'
import { createFunction, DEFAULT_MEMORY_MB } from './functions.js'
import { addDeadLetterQueue } from './queues.js'

const TIMEOUT_SECONDS = 30

export function addOutboxPublisher(
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
      // Only new outbox items start the publisher; entity writes and TTL deletions never invoke it.
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { kind: { S: lambda.FilterRule.isEqual('outbox') } } },
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
