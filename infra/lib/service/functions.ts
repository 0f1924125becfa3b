/**
 * Lambda: one `NodejsFunction` per manifest function (its own log group, role and alarm), with the
 * environment and grants its FunctionDef asks for and nothing more.
 */
import { join } from 'node:path'
import { ENV, type FunctionDef } from '@relay/core/manifest'
import { functionTimeoutSeconds } from '@relay/core/manifest-validation'
import {
  bucketEnvVar,
  busName,
  functionLogGroupName,
  functionName,
  physicalTableName,
  sharedNames,
  tableEnvVar,
} from '@relay/core/names'
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs'
import * as logs from 'aws-cdk-lib/aws-logs'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import { BUNDLING } from '../bundling.js'
import { addFunctionAlarm } from './alarms.js'
import { bucketName, grantBucket } from './buckets.js'
import { limitedName, type ServiceContext, stageBus } from './context.js'
import { addDeadLetterQueue } from './queues.js'
import { grantTable } from './tables.js'

export const DEFAULT_MEMORY_MB = 256

export interface FunctionOptions {
  /** Physical name; over 64 characters CloudFormation generates one. */
  functionName: string
  /** Alarm name part, e.g. `function-create-contact`. */
  what: string
  entry: string
  memoryMb: number
  timeoutSeconds: number
  environment: Record<string, string>
  asyncFailureQueue?: sqs.IQueue
}

/** A function with its own log group, a role that may log only there, and its alarm. */
export function createFunction(
  scope: Stack,
  ctx: ServiceContext,
  id: string,
  options: FunctionOptions,
): NodejsFunction {
  const { stage, manifest } = ctx
  const name = limitedName(options.functionName)
  const logGroup = new logs.LogGroup(scope, `${id}-Logs`, {
    logGroupName: name ? functionLogGroupName(name) : undefined,
    retention: stage.logRetention,
    removalPolicy: stage.removalPolicy,
  })
  // An explicit role instead of AWSLambdaBasicExecutionRole: logging reaches only this function's log group.
  const role = new iam.Role(scope, `${id}-Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${options.functionName}`,
  })
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  )
  const fn = new NodejsFunction(scope, id, {
    functionName: name,
    entry: options.entry,
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: options.memoryMb,
    timeout: Duration.seconds(options.timeoutSeconds),
    role,
    logGroup,
    bundling: BUNDLING,
    environment: {
      [ENV.stage]: stage.name,
      [ENV.eventBusName]: busName(stage.name),
      [ENV.serviceName]: manifest.name,
      [ENV.mailFrom]: stage.mailFrom,
      ...options.environment,
    },
    ...(options.asyncFailureQueue
      ? { onFailure: new SqsDestination(options.asyncFailureQueue), retryAttempts: 2 }
      : {}),
  })
  addFunctionAlarm(scope, ctx, id, options.what, fn)
  return fn
}

/** How a manifest function is invoked; decides its default timeout, its failure queue and Scan. */
export function invokersOf(ctx: ServiceContext, name: string) {
  const m = ctx.manifest
  return {
    servesRoutes: m.routes.some((r) => r.function === name),
    isRuleTarget:
      m.subscriptions.some((s) => s.function === name) || m.schedules.some((s) => s.function === name),
    isObjectTarget: (m.objectTriggers ?? []).some((t) => t.function === name),
  }
}

/**
 * The manifest function `name`: its env names exactly the tables and buckets it is granted
 * (tables: FunctionDef.tables, no `tables` = every table of its service read/write; buckets: only
 * those it names), and its role allows exactly that. `sendsTo` grants the function nothing: its
 * messages are queue-outbox items of its writes, sent by its table's queue publisher, which is
 * granted those queues instead (./outbox.ts).
 */
export function addManifestFunction(scope: Stack, ctx: ServiceContext, name: string): NodejsFunction {
  const { manifest, stage } = ctx
  const def: FunctionDef = manifest.functions[name]!
  const { servesRoutes, isRuleTarget, isObjectTarget } = invokersOf(ctx, name)
  // No `tables` means the whole service's tables, read/write (manifest.ts contract).
  const grants: Record<string, 'read' | 'write'> =
    def.tables ?? Object.fromEntries(Object.keys(manifest.tables).map((t) => [t, 'write' as const]))

  // EventBridge's target DLQ only catches failed deliveries, and S3 has none; events the function
  // itself fails on after Lambda's async retries land here instead of being dropped.
  const asyncFailureQueue =
    isRuleTarget || isObjectTarget
      ? addDeadLetterQueue(
          scope,
          ctx,
          `Function-${name}-AsyncFailures`,
          `function-${name}-async-dlq`,
          `async invocations of ${name}`,
        )
      : undefined
  const fn = createFunction(scope, ctx, `Function-${name}`, {
    functionName: functionName(stage.name, manifest.name, name),
    what: `function-${name}`,
    entry: join(ctx.root, 'src', def.entry),
    memoryMb: def.memoryMb ?? DEFAULT_MEMORY_MB,
    timeoutSeconds: functionTimeoutSeconds(manifest, name),
    environment: Object.fromEntries([
      ...Object.keys(grants).map((t) => [
        tableEnvVar(manifest.name, t),
        physicalTableName(stage.name, manifest.name, t),
      ]),
      ...Object.keys(def.buckets ?? {}).map((b) => [
        bucketEnvVar(manifest.name, b),
        bucketName(scope, ctx, b),
      ]),
    ]),
    asyncFailureQueue,
  })
  for (const [table, access] of Object.entries(grants)) grantTable(fn, ctx, table, access, servesRoutes)
  for (const [bucket, access] of Object.entries(def.buckets ?? {})) grantBucket(fn, ctx, name, bucket, access)
  if (def.publishes) stageBus(scope, ctx).grantPutEventsTo(fn)
  if (def.sendsEmail) grantSendEmail(fn, ctx)
  if (def.sendsEmail || def.signsLinks) fn.addEnvironment(ENV.publicBaseUrl, publicBaseUrl(ctx))
  if (def.signsLinks) grantLinkKey(fn, ctx)
  return fn
}

/** Links in mail point at the stage's public URL, else the HTTP API's endpoint (a cross-stack reference). */
function publicBaseUrl(ctx: ServiceContext): string {
  return ctx.stage.publicBaseUrl ?? ctx.shared.api.apiEndpoint
}

/**
 * The link-signing key, addressed by name like the bus (the secret's ARN ends in a random suffix, so
 * the grant names `<name>-??????`): reading it needs no export of the shared stack.
 */
function grantLinkKey(fn: NodejsFunction, ctx: ServiceContext): void {
  const { linkSecret } = sharedNames(ctx.stage.name)
  fn.addEnvironment(ENV.linkSecretArn, linkSecret)
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'ReadLinkSigningKey',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [
        Stack.of(fn).formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${linkSecret}-??????`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
  )
}

function grantSendEmail(fn: NodejsFunction, ctx: ServiceContext): void {
  const { mailFrom } = ctx.stage
  const { sesConfigurationSet } = sharedNames(ctx.stage.name)
  fn.addEnvironment(ENV.sesConfigurationSet, sesConfigurationSet)
  const domain = mailFrom.split('@')[1] ?? mailFrom
  const identity = (name: string) =>
    Stack.of(fn).formatArn({ service: 'ses', resource: 'identity', resourceName: name })
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'SendMailFromOwnIdentity',
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      // Sending with a configuration set is authorised on the set too.
      resources: [
        identity(domain),
        identity(mailFrom),
        Stack.of(fn).formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: sesConfigurationSet,
        }),
      ],
    }),
  )
}
