/**
 * One stack per service manifest: its tables and buckets, one function per manifest function, its
 * routes on the shared HTTP API, its subscriptions on the shared bus, its schedules, its S3 object
 * triggers, and one outbox publisher per `outbox: true` table. A stack per service keeps each under CloudFormation's 500-resource limit as
 * routes grow, and lets a service be deployed on its own.
 */
import { join } from 'node:path'
import {
  type BucketAccess,
  type BucketDef,
  bucketEnvVar,
  ENV,
  type FunctionDef,
  physicalBucketName,
  physicalTableName,
  type RouteDef,
  type ServiceManifest,
  tableEnvVar,
} from '@relay/core/manifest'
import { Aws, Duration, RemovalPolicy, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib'
import { HttpMethod, HttpNoneAuthorizer, HttpRoute, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as events from 'aws-cdk-lib/aws-events'
import * as targets from 'aws-cdk-lib/aws-events-targets'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources'
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs'
import * as logs from 'aws-cdk-lib/aws-logs'
import * as s3 from 'aws-cdk-lib/aws-s3'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import * as cxapi from 'aws-cdk-lib/cx-api'
import type { Construct } from 'constructs'
import { BUNDLING } from './bundling.js'
import type { SharedStack } from './shared-stack.js'
import type { StageConfig } from './stages.js'

/** Read actions granted for `read`; no Scan for functions that serve routes (DESIGN §4: no Scan in a request path). */
const READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
]
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
]
const SCAN_ACTION = 'dynamodb:Scan'
/** Object actions per manifest access level; lib-storage's multipart calls need s3:PutObject and, on failure, s3:AbortMultipartUpload. */
const BUCKET_ACTIONS: Record<BucketAccess, string[]> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
  readwrite: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
}
/** S3 bucket names are at most 63 characters; the longest region code has 14. */
const MAX_BUCKET_NAME_LENGTH = 63
const MAX_REGION_LENGTH = 14

const DEFAULT_MEMORY_MB = 256
const HTTP_TIMEOUT_SECONDS = 10
const EVENT_TIMEOUT_SECONDS = 30
/** Lambda and EventBridge rule names are limited to 64 characters. */
const MAX_NAME_LENGTH = 64

export interface ServiceStackProps extends StackProps {
  stage: StageConfig
  shared: SharedStack
  manifest: ServiceManifest
  /** Absolute path of the service folder; function entries are relative to `<root>/src`. */
  root: string
  /** Absolute path of the shared outbox publisher entry (`packages/core/src/outbox-publisher.ts`). */
  outboxPublisherEntry: string
}

/** The pieces of a service stack that tests and other stacks may look at. */
export class ServiceStack extends Stack {
  readonly manifest: ServiceManifest
  readonly tables = new Map<string, dynamodb.Table>()
  readonly buckets = new Map<string, s3.Bucket>()
  readonly functions = new Map<string, NodejsFunction>()
  readonly outboxPublishers = new Map<string, NodejsFunction>()
  readonly deadLetterQueues: sqs.Queue[] = []

  private readonly stage: StageConfig
  private readonly shared: SharedStack
  private readonly prefix: string
  private readonly integrations = new Map<string, HttpLambdaIntegration>()
  private accessLogs: s3.Bucket | undefined

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props)
    const { manifest, stage, shared } = props
    validateManifest(manifest)
    this.manifest = manifest
    this.stage = stage
    this.shared = shared
    this.prefix = `crm-${stage.name}-${manifest.name}`
    // Server access logs are delivered under a bucket policy instead of the legacy LogDeliveryWrite
    // ACL (ACLs stay disabled on every bucket), whatever the app's feature flags say.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true)

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Functions are pinned to nodejs22.x on purpose: the project builds, tests and benchmarks on Node 22 (package.json engines and the node devDependency).',
    })

    for (const [name, def] of Object.entries(manifest.tables)) this.addTable(name, def)
    for (const [name, def] of Object.entries(manifest.buckets ?? {})) this.addBucket(name, def)
    for (const [name, def] of Object.entries(manifest.functions)) this.addFunction(name, def, props.root)
    this.addObjectTriggers()
    for (const route of manifest.routes) this.addRoute(route)
    for (const sub of manifest.subscriptions) {
      const rule = new events.Rule(this, `Subscription-${sub.name}`, {
        ruleName: this.limitedName(`${this.prefix}-${sub.name}`),
        description: `${manifest.name}: ${sub.name} → ${sub.function}`,
        eventBus: shared.bus,
        eventPattern: sub.pattern as events.EventPattern,
      })
      // The L2 merges and renames keys of a pattern; the manifest's pattern goes to CloudFormation as written.
      ;(rule.node.defaultChild as events.CfnRule).eventPattern = sub.pattern
      this.addRuleTarget(rule, `Subscription-${sub.name}`, sub.function)
    }
    for (const schedule of manifest.schedules) {
      const rule = new events.Rule(this, `Schedule-${schedule.name}`, {
        ruleName: this.limitedName(`${this.prefix}-${schedule.name}`),
        description: `${manifest.name}: ${schedule.name} (${schedule.expression}) → ${schedule.function}`,
        schedule: events.Schedule.expression(schedule.expression),
      })
      this.addRuleTarget(rule, `Schedule-${schedule.name}`, schedule.function)
    }
    for (const [name, def] of Object.entries(manifest.tables)) {
      if (def.outbox) this.addOutboxPublisher(name, props.outboxPublisherEntry)
    }
  }

  private addTable(name: string, def: ServiceManifest['tables'][string]): void {
    const table = new dynamodb.Table(this, `Table-${name}`, {
      tableName: physicalTableName(this.stage.name, this.manifest.name, name),
      partitionKey: { name: def.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: def.sortKey ? { name: def.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: this.stage.pointInTimeRecovery },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: this.stage.deletionProtection,
      removalPolicy: this.stage.removalPolicy,
      timeToLiveAttribute: def.ttl,
      stream: def.outbox ? dynamodb.StreamViewType.NEW_AND_OLD_IMAGES : undefined,
    })
    for (const gsi of def.gsis ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: { name: gsi.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: gsi.sortKey ? { name: gsi.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
        projectionType: dynamodb.ProjectionType.ALL,
      })
    }
    this.tables.set(name, table)
  }

  private addFunction(name: string, def: FunctionDef, root: string): void {
    const { manifest } = this
    const servesRoutes = manifest.routes.some((r) => r.function === name)
    const isRuleTarget =
      manifest.subscriptions.some((s) => s.function === name) ||
      manifest.schedules.some((s) => s.function === name)
    const isObjectTarget = (manifest.objectTriggers ?? []).some((t) => t.function === name)
    const defaultTimeout = servesRoutes
      ? HTTP_TIMEOUT_SECONDS
      : isRuleTarget || isObjectTarget
        ? EVENT_TIMEOUT_SECONDS
        : HTTP_TIMEOUT_SECONDS

    // No `tables` means the whole service's tables, read/write (manifest.ts contract).
    const grants: Record<string, 'read' | 'write'> =
      def.tables ?? Object.fromEntries(Object.keys(manifest.tables).map((t) => [t, 'write' as const]))

    let asyncFailureQueue: sqs.Queue | undefined
    if (isRuleTarget || isObjectTarget) {
      // EventBridge's target DLQ only catches failed deliveries, and S3 has none; events the function
      // itself fails on after Lambda's async retries land here instead of being dropped.
      asyncFailureQueue = this.deadLetterQueue(
        `Function-${name}-AsyncFailures`,
        `async invocations of ${name}`,
      )
    }
    const fn = this.createFunction(`Function-${name}`, {
      functionName: `${this.prefix}-${name}`,
      entry: join(root, 'src', def.entry),
      memoryMb: def.memoryMb ?? DEFAULT_MEMORY_MB,
      timeoutSeconds: def.timeoutSeconds ?? defaultTimeout,
      environment: Object.fromEntries([
        ...Object.keys(grants).map((t) => [
          tableEnvVar(manifest.name, t),
          physicalTableName(this.stage.name, manifest.name, t),
        ]),
        ...Object.keys(def.buckets ?? {}).map((b) => [bucketEnvVar(manifest.name, b), this.bucketName(b)]),
      ]),
      asyncFailureQueue,
    })

    for (const [tableName, access] of Object.entries(grants)) {
      const table = this.tables.get(tableName)!
      const actions = [...READ_ACTIONS, ...(access === 'write' ? WRITE_ACTIONS : [])]
      if (!servesRoutes) actions.push(SCAN_ACTION)
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: `${access === 'write' ? 'ReadWrite' : 'Read'}${pascal(tableName)}Table`,
          actions,
          // Each GSI is named instead of `index/*`: the grant reaches exactly the indexes the manifest declares.
          resources: [
            table.tableArn,
            ...(manifest.tables[tableName]!.gsis ?? []).map((g) => `${table.tableArn}/index/${g.name}`),
          ],
        }),
      )
    }
    for (const [bucket, access] of Object.entries(def.buckets ?? {})) {
      const objects = `${this.bucketArn(bucket)}/*`
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: `${pascal(access)}${pascal(bucket)}Objects`,
          actions: BUCKET_ACTIONS[access],
          resources: [objects],
        }),
      )
      Validations.of(fn.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${this.nagArn(objects)}]`,
        reason: `Object actions need an object ARN: ${name} may ${access} the objects of this service's ${bucket} bucket (manifest FunctionDef.buckets), no other bucket and no bucket-level action.`,
      })
    }
    if (def.publishes) this.shared.bus.grantPutEventsTo(fn)
    if (def.sendsEmail) this.grantSendEmail(fn)
    this.functions.set(name, fn)
  }

  /**
   * The bucket's physical name, `crm-<stage>-<service>-<bucket>-<account>-<region>` (bucket names are
   * global). Built from the stack's account and region rather than read from the bucket, so a
   * function can name its bucket while the bucket's notification names the function, without a
   * dependency cycle.
   */
  private bucketName(bucket: string): string {
    const base = physicalBucketName(this.stage.name, this.manifest.name, bucket)
    const name = `${base}-${this.account}-${this.region}`
    const longest = Token.isUnresolved(this.region)
      ? base.length + 1 + 12 + 1 + MAX_REGION_LENGTH
      : Token.isUnresolved(this.account)
        ? base.length + 1 + 12 + 1 + this.region.length
        : name.length
    if (longest > MAX_BUCKET_NAME_LENGTH) {
      throw new Error(
        `Service manifest ${this.manifest.name}: bucket "${bucket}" would be named ${base}-<account>-<region>, over S3's ${MAX_BUCKET_NAME_LENGTH} characters; use a shorter bucket name`,
      )
    }
    return name
  }

  private bucketArn(bucket: string): string {
    return `arn:${Aws.PARTITION}:s3:::${this.bucketName(bucket)}`
  }

  /** A string as cdk-nag names it in a finding: each unresolved token as `<Name>`, e.g. `<AWS::Partition>`. */
  private nagArn(value: string): string {
    const resolved = this.resolve(value) as unknown
    const parts = (
      typeof resolved === 'string'
        ? [resolved]
        : (resolved as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
    ) as unknown[]
    return parts.map((p) => (typeof p === 'string' ? p : `<${(p as { Ref: string }).Ref}>`)).join('')
  }

  /**
   * One bucket per manifest bucket: no public access, TLS only, S3-managed encryption, objects
   * expiring after `expireAfterDays`, incomplete multipart uploads aborted after a day, CORS for
   * presigned browser uploads and downloads, server access logs, the stage's removal policy.
   */
  private addBucket(name: string, def: BucketDef): void {
    const destroy = this.stage.removalPolicy === RemovalPolicy.DESTROY
    const bucket = new s3.Bucket(this, `Bucket-${name}`, {
      bucketName: this.bucketName(name),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-objects',
          ...(def.expireAfterDays ? { expiration: Duration.days(def.expireAfterDays) } : {}),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // Any origin: the URLs are presigned, so the signature, not the origin, is what grants access.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      serverAccessLogsBucket: this.accessLogsBucket(),
      serverAccessLogsPrefix: `${name}/`,
      removalPolicy: this.stage.removalPolicy,
      autoDeleteObjects: destroy,
    })
    this.buckets.set(name, bucket)
  }

  /** The stack's one server access log bucket (created with the first bucket). */
  private accessLogsBucket(): s3.Bucket {
    if (!this.accessLogs) {
      this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        // Server access log delivery supports SSE-S3 only on its target bucket.
        encryption: s3.BucketEncryption.S3_MANAGED,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(this.stage.logRetention) }],
        removalPolicy: this.stage.removalPolicy,
        autoDeleteObjects: this.stage.removalPolicy === RemovalPolicy.DESTROY,
      })
      Validations.of(this.accessLogs).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'This bucket is the server access log destination of the service buckets; logging it to itself would loop and to another bucket would only move the exception.',
      })
    }
    return this.accessLogs
  }

  /**
   * S3 → Lambda for each manifest object trigger, on the bucket's own notification configuration
   * (no notification custom resource and its extra function): ObjectCreated under the prefix
   * invokes the function asynchronously. The invoke permission names the bucket by its ARN, not by
   * reference, and the bucket waits for it: S3 checks the permission when the configuration is set.
   */
  private addObjectTriggers(): void {
    const byBucket = new Map<string, s3.CfnBucket.LambdaConfigurationProperty[]>()
    for (const trigger of this.manifest.objectTriggers ?? []) {
      const fn = this.functions.get(trigger.function)!
      const bucket = this.buckets.get(trigger.bucket)!
      const permission = new lambda.CfnPermission(this, `ObjectTrigger-${trigger.name}-Permission`, {
        action: 'lambda:InvokeFunction',
        functionName: fn.functionArn,
        principal: 's3.amazonaws.com',
        sourceArn: this.bucketArn(trigger.bucket),
        sourceAccount: this.account,
      })
      bucket.node.addDependency(permission)
      const configs = byBucket.get(trigger.bucket) ?? []
      configs.push({
        event: 's3:ObjectCreated:*',
        function: fn.functionArn,
        filter: { s3Key: { rules: [{ name: 'prefix', value: trigger.prefix }] } },
      })
      byBucket.set(trigger.bucket, configs)
    }
    for (const [bucket, lambdaConfigurations] of byBucket) {
      ;(this.buckets.get(bucket)!.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
        lambdaConfigurations,
      }
    }
  }

  private createFunction(
    id: string,
    options: {
      functionName: string
      entry: string
      memoryMb: number
      timeoutSeconds: number
      environment: Record<string, string>
      asyncFailureQueue?: sqs.IQueue
    },
  ): NodejsFunction {
    const functionName = this.limitedName(options.functionName)
    const logGroup = new logs.LogGroup(this, `${id}-Logs`, {
      logGroupName: functionName ? `/aws/lambda/${functionName}` : undefined,
      retention: this.stage.logRetention,
      removalPolicy: this.stage.removalPolicy,
    })
    // An explicit role instead of AWSLambdaBasicExecutionRole: logging reaches only this function's log group.
    const role = new iam.Role(this, `${id}-Role`, {
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
    const fn = new NodejsFunction(this, id, {
      functionName,
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
        [ENV.stage]: this.stage.name,
        [ENV.eventBusName]: this.shared.bus.eventBusName,
        [ENV.serviceName]: this.manifest.name,
        [ENV.mailFrom]: this.stage.mailFrom,
        ...options.environment,
      },
      ...(options.asyncFailureQueue
        ? { onFailure: new SqsDestination(options.asyncFailureQueue), retryAttempts: 2 }
        : {}),
    })
    this.addFunctionAlarms(id, fn)
    return fn
  }

  private grantSendEmail(fn: NodejsFunction): void {
    const domain = this.stage.mailFrom.split('@')[1] ?? this.stage.mailFrom
    const identity = (name: string) =>
      Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: name })
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SendMailFromOwnIdentity',
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [identity(domain), identity(this.stage.mailFrom)],
      }),
    )
  }

  private integrationFor(functionName: string): HttpLambdaIntegration {
    let integration = this.integrations.get(functionName)
    if (!integration) {
      // One integration per function, shared by its routes: fewer resources per stack.
      integration = new HttpLambdaIntegration(
        `Integration-${functionName}`,
        this.functions.get(functionName)!,
      )
      this.integrations.set(functionName, integration)
    }
    return integration
  }

  private addRoute(route: RouteDef): void {
    const route_ = new HttpRoute(this, `Route ${route.method} ${route.path.replaceAll('/', '|')}`, {
      httpApi: this.shared.api,
      routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
      integration: this.integrationFor(route.function),
      // Explicit on both sides so that an API default authorizer can never change a route's auth.
      authorizer: route.roles === 'public' ? new HttpNoneAuthorizer() : this.shared.authorizer,
    })
    if (route.roles === 'public') {
      Validations.of(route_).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `${route.method} ${route.path} is declared public in the ${this.manifest.name} manifest (roles: 'public'); it needs no token.`,
      })
    }
  }

  private addRuleTarget(rule: events.Rule, id: string, functionName: string): void {
    const dlq = this.deadLetterQueue(`${id}-Dlq`, `rule ${rule.node.id}`)
    rule.addTarget(
      new targets.LambdaFunction(this.functions.get(functionName)!, {
        deadLetterQueue: dlq,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    )
  }

  private addOutboxPublisher(tableName: string, entry: string): void {
    const table = this.tables.get(tableName)!
    const id = `Outbox-${tableName}`
    const fn = this.createFunction(`${id}-Publisher`, {
      functionName: `${this.prefix}-${tableName}-outbox`,
      entry,
      memoryMb: DEFAULT_MEMORY_MB,
      timeoutSeconds: EVENT_TIMEOUT_SECONDS,
      environment: {},
    })
    const failures = this.deadLetterQueue(`${id}-Failures`, `outbox stream batches of table ${tableName}`)
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
    this.shared.bus.grantPutEventsTo(fn)
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams (added by the DynamoDB event source) supports no resource-level permissions; stream reads are scoped to this table.',
    })
    this.outboxPublishers.set(tableName, fn)
  }

  private deadLetterQueue(id: string, what: string): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    })
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself the dead-letter queue (${what}); a DLQ of a DLQ would only move the problem.`,
    })
    this.deadLetterQueues.push(queue)
    if (this.shared.alarmTopic) {
      const alarm = new cloudwatch.Alarm(this, `${id}-DepthAlarm`, {
        alarmDescription: `${this.prefix}: messages waiting in the dead-letter queue of ${what}`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })
      alarm.addAlarmAction(new cwActions.SnsAction(this.shared.alarmTopic))
    }
    return queue
  }

  // One alarm per function on errors + throttles (metric math), not one each: a service with 50
  // functions would otherwise spend 100 of its stack's 500 resources on alarms.
  private addFunctionAlarms(id: string, fn: NodejsFunction): void {
    if (!this.shared.alarmTopic) return
    const period = Duration.minutes(5)
    new cloudwatch.Alarm(this, `${id}-FailingAlarm`, {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${this.prefix}: ${id} errors or throttles`,
      metric: new cloudwatch.MathExpression({
        expression: 'errors + throttles',
        label: 'errors + throttles',
        period,
        usingMetrics: {
          errors: fn.metricErrors({ period, statistic: 'Sum' }),
          throttles: fn.metricThrottles({ period, statistic: 'Sum' }),
        },
      }),
    }).addAlarmAction(new cwActions.SnsAction(this.shared.alarmTopic))
  }

  /** The name when it fits the 64-character limit; otherwise `undefined` so CloudFormation generates one. */
  private limitedName(name: string): string | undefined {
    return name.length <= MAX_NAME_LENGTH ? name : undefined
  }
}

function pascal(s: string): string {
  return s.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase())
}

/**
 * Checks the references inside a manifest that TypeScript cannot: every route, subscription and
 * schedule names a declared function, and every table a function asks for belongs to its service.
 *
 * @throws Error naming the service and the broken reference.
 */
export function validateManifest(m: ServiceManifest): void {
  const fail = (msg: string): never => {
    throw new Error(`Service manifest ${m.name}: ${msg}`)
  }
  const fnNames = new Set(Object.keys(m.functions))
  for (const [name, def] of Object.entries(m.functions)) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) fail(`function name "${name}" must be kebab-case`)
    for (const t of Object.keys(def.tables ?? {})) {
      if (!(t in m.tables))
        fail(`function "${name}" asks for table "${t}", which the service does not declare`)
    }
  }
  for (const r of m.routes) {
    if (!fnNames.has(r.function)) fail(`route ${r.method} ${r.path} names unknown function "${r.function}"`)
  }
  const seenRules = new Set<string>()
  for (const s of [...m.subscriptions, ...m.schedules]) {
    if (!fnNames.has(s.function))
      fail(`subscription/schedule "${s.name}" names unknown function "${s.function}"`)
    if (seenRules.has(s.name)) fail(`subscription/schedule name "${s.name}" is used twice`)
    seenRules.add(s.name)
  }
  for (const t of Object.keys(m.tables)) {
    if (fnNames.has(`${t}-outbox`)) fail(`function name "${t}-outbox" is reserved for the outbox publisher`)
  }
  const buckets = m.buckets ?? {}
  for (const [name, def] of Object.entries(buckets)) {
    // The logical name becomes part of a global bucket name: lower-case letters, digits and '-'.
    if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(name)) fail(`bucket name "${name}" must be kebab-case`)
    if (
      def.expireAfterDays !== undefined &&
      !(Number.isInteger(def.expireAfterDays) && def.expireAfterDays > 0)
    )
      fail(`bucket "${name}" expireAfterDays must be a positive whole number of days`)
  }
  for (const [name, def] of Object.entries(m.functions)) {
    for (const b of Object.keys(def.buckets ?? {})) {
      if (!(b in buckets))
        fail(`function "${name}" asks for bucket "${b}", which the service does not declare`)
    }
  }
  const triggers = m.objectTriggers ?? []
  for (const [i, t] of triggers.entries()) {
    if (!(t.bucket in buckets)) fail(`object trigger "${t.name}" names unknown bucket "${t.bucket}"`)
    if (!fnNames.has(t.function)) fail(`object trigger "${t.name}" names unknown function "${t.function}"`)
    if (!t.prefix) fail(`object trigger "${t.name}" needs a prefix`)
    for (const other of triggers.slice(0, i)) {
      if (other.name === t.name) fail(`object trigger name "${t.name}" is used twice`)
      // S3 refuses overlapping prefixes for the same event type on one bucket.
      if (
        other.bucket === t.bucket &&
        (other.prefix.startsWith(t.prefix) || t.prefix.startsWith(other.prefix))
      )
        fail(`object triggers "${other.name}" and "${t.name}" overlap on bucket "${t.bucket}"`)
    }
  }
}
