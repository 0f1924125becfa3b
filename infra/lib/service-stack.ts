/**
 * One stack per service manifest: its tables, one function per manifest function, its routes on the
 * shared HTTP API, its subscriptions on the shared bus, its schedules, and one outbox publisher per
 * `outbox: true` table. A stack per service keeps each under CloudFormation's 500-resource limit as
 * routes grow, and lets a service be deployed on its own.
 */
import { join } from 'node:path'
import {
  ENV,
  type FunctionDef,
  physicalTableName,
  type RouteDef,
  type ServiceManifest,
  tableEnvVar,
} from '@relay/core/manifest'
import { Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib'
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
import * as sqs from 'aws-cdk-lib/aws-sqs'
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
  readonly functions = new Map<string, NodejsFunction>()
  readonly outboxPublishers = new Map<string, NodejsFunction>()
  readonly deadLetterQueues: sqs.Queue[] = []

  private readonly stage: StageConfig
  private readonly shared: SharedStack
  private readonly prefix: string
  private readonly integrations = new Map<string, HttpLambdaIntegration>()

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props)
    const { manifest, stage, shared } = props
    validateManifest(manifest)
    this.manifest = manifest
    this.stage = stage
    this.shared = shared
    this.prefix = `crm-${stage.name}-${manifest.name}`

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Functions are pinned to nodejs22.x on purpose: the project builds, tests and benchmarks on Node 22 (package.json engines and the node devDependency).',
    })

    for (const [name, def] of Object.entries(manifest.tables)) this.addTable(name, def)
    for (const [name, def] of Object.entries(manifest.functions)) this.addFunction(name, def, props.root)
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
    const defaultTimeout = servesRoutes
      ? HTTP_TIMEOUT_SECONDS
      : isRuleTarget
        ? EVENT_TIMEOUT_SECONDS
        : HTTP_TIMEOUT_SECONDS

    // No `tables` means the whole service's tables, read/write (manifest.ts contract).
    const grants: Record<string, 'read' | 'write'> =
      def.tables ?? Object.fromEntries(Object.keys(manifest.tables).map((t) => [t, 'write' as const]))

    let asyncFailureQueue: sqs.Queue | undefined
    if (isRuleTarget) {
      // EventBridge's target DLQ only catches failed deliveries; events the function itself fails on
      // after Lambda's async retries land here instead of being dropped.
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
      environment: Object.fromEntries(
        Object.keys(grants).map((t) => [
          tableEnvVar(manifest.name, t),
          physicalTableName(this.stage.name, manifest.name, t),
        ]),
      ),
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
    if (def.publishes) this.shared.bus.grantPutEventsTo(fn)
    if (def.sendsEmail) this.grantSendEmail(fn)
    this.functions.set(name, fn)
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

  private addFunctionAlarms(id: string, fn: NodejsFunction): void {
    if (!this.shared.alarmTopic) return
    const action = new cwActions.SnsAction(this.shared.alarmTopic)
    const common = {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }
    new cloudwatch.Alarm(this, `${id}-ErrorsAlarm`, {
      ...common,
      alarmDescription: `${this.prefix}: ${id} errors`,
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    }).addAlarmAction(action)
    new cloudwatch.Alarm(this, `${id}-ThrottlesAlarm`, {
      ...common,
      alarmDescription: `${this.prefix}: ${id} throttled`,
      metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
    }).addAlarmAction(action)
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
}
