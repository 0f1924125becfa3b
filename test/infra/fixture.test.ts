/**
 * The CDK app built from a small fixture manifest (routes, public route, two tables, outbox,
 * subscriptions with content filters and `$or`, a schedule, email, direct publishing), in dev and prod.
 */
import { ROLES } from '@relay/core/manifest'
import { Match } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import {
  assertRuntime,
  assertServiceMatchesManifest,
  bucketGrants,
  flatten,
  functionByName,
  ofType,
  ownFunctions,
  publisherActions,
  queueArnText,
  queueGrants,
  references,
  resources,
  statementsOf,
  tableAccess,
  tableIds,
} from './assertions.js'
import { manifest as orders } from './fixtures/orders/src/service.js'
import { build, fixtureOutboxPublisher, fixtureQueuePublisher, fixtureServices } from './helpers.js'

const dev = build('dev', fixtureServices, {
  outboxPublisherEntry: fixtureOutboxPublisher,
  queuePublisherEntry: fixtureQueuePublisher,
})
const prod = build('prod', fixtureServices, {
  outboxPublisherEntry: fixtureOutboxPublisher,
  queuePublisherEntry: fixtureQueuePublisher,
})

describe.each([
  ['dev', dev],
  ['prod', prod],
])('fixture service in %s', (stage, built) => {
  it('names the stacks crm-<stage>-...: shared, the service data stack, its function stack', () => {
    // Assess
    expect(built.stacks.map((s) => s.stackName)).toEqual([
      `crm-${stage}-shared`,
      `crm-${stage}-orders`,
      `crm-${stage}-orders-1`,
    ])
  })

  it('keeps tables, buckets, queues, outbox and trigger functions in the data stack, the rest in function stacks', () => {
    // Prepare
    const [orders] = built.services
    const data = built.template(`crm-${stage}-orders`)
    const fns = built.template(`crm-${stage}-orders-1`)
    const names = (t: typeof data) =>
      ofType(t, 'AWS::Lambda::Function').map(([, f]) => f.Properties.FunctionName)
    // Assess
    expect(orders!.data?.stackName).toBe(`crm-${stage}-orders`)
    for (const type of ['AWS::DynamoDB::Table', 'AWS::S3::Bucket']) expect(ofType(fns, type)).toEqual([])
    expect(ofType(data, 'AWS::DynamoDB::Table')).toHaveLength(2)
    expect(
      ofType(data, 'AWS::SQS::Queue')
        .map(([, q]) => q.Properties.QueueName)
        .filter(Boolean)
        .sort(),
    ).toEqual([
      `crm-${stage}-orders-order-mail`,
      `crm-${stage}-orders-order-mail-dlq`,
      `crm-${stage}-orders-receipt-chunks`,
      `crm-${stage}-orders-receipt-chunks-dlq`,
    ])
    expect(names(data)).toEqual(
      expect.arrayContaining([
        `crm-${stage}-orders-on-receipt`,
        `crm-${stage}-orders-main-outbox`,
        `crm-${stage}-orders-main-outbox-queue`,
      ]),
    )
    expect(names(fns)).toContain(`crm-${stage}-orders-create-order`)
    expect(names(fns)).not.toContain(`crm-${stage}-orders-on-receipt`)
    // Function stacks name what they use; they import only from the shared stack.
    const refs = references(resources(fns), { ids: new Set(), imports: [], strings: [] })
    for (const imported of refs.imports) expect(JSON.stringify(imported)).toContain(`crm-${stage}-shared:`)
    expect(JSON.stringify(data.toJSON().Outputs ?? {})).not.toContain('Export')
  })

  it('turns the manifest into tables, functions, routes, rules and outbox publishers', () => {
    // Act
    const t = built.service('orders')
    // Assess
    assertServiceMatchesManifest(t, stage, orders)
  })

  it('runs every function on nodejs22.x / arm64 with the ESM bundle handler', () => {
    for (const stack of built.stacks) assertRuntime(built.template(stack.stackName))
    for (const [, fn] of ownFunctions(built.service('orders'))) {
      expect(fn.Properties.Handler).toBe('index.handler')
    }
  })

  it('grants each function exactly the tables of its FunctionDef', () => {
    // Prepare
    const t = built.service('orders')
    const ids = tableIds(t, stage, orders)
    const access = (fn: string) => tableAccess(t, functionByName(t, `crm-${stage}-orders-${fn}`)[0])
    // Assess
    expect(access('get-order')).toEqual(new Map([[ids.get('main'), 'read']]))
    expect(access('create-order')).toEqual(new Map([[ids.get('main'), 'write']]))
    expect(access('ping')).toEqual(new Map())
    // No `tables` → read/write on every table of its own service.
    expect(access('on-contact-created')).toEqual(
      new Map([
        [ids.get('main'), 'write'],
        [ids.get('audit'), 'write'],
      ]),
    )
    expect(access('nightly-report')).toEqual(
      new Map([
        [ids.get('main'), 'read'],
        [ids.get('audit'), 'write'],
      ]),
    )
  })

  it('grants each function exactly the objects of the buckets of its FunctionDef, and names them in its env', () => {
    // Prepare
    const t = built.service('orders')
    const name = `crm-${stage}-orders-receipts-123456789012-eu-west-1`
    const objects = `arn:<AWS::Partition>:s3:::${name}/*`
    const grants = (fn: string) => bucketGrants(t, functionByName(t, `crm-${stage}-orders-${fn}`)[0])
    const env = (fn: string) =>
      (
        functionByName(t, `crm-${stage}-orders-${fn}`)[1].Properties.Environment as {
          Variables: Record<string, unknown>
        }
      ).Variables
    // Assess
    expect(grants('get-order')).toEqual(new Map([[objects, ['s3:GetObject']]]))
    expect(grants('nightly-report')).toEqual(
      new Map([[objects, ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject']]]),
    )
    expect(grants('on-receipt')).toEqual(
      new Map([[objects, ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject']]]),
    )
    expect(grants('create-order')).toEqual(new Map())
    expect(env('get-order').ORDERS_RECEIPTS_BUCKET).toBe(name)
    expect(env('create-order').ORDERS_RECEIPTS_BUCKET).toBeUndefined()
  })

  it('creates the bucket private, TLS-only, encrypted, expiring, logged, and invoking on-receipt for incoming/', () => {
    // Prepare
    const t = built.service('orders')
    const [, bucket] = ofType(t, 'AWS::S3::Bucket').find(([, b]) => b.Properties.BucketName !== undefined)!
    const [onReceipt] = functionByName(t, `crm-${stage}-orders-on-receipt`)
    // Assess
    expect(bucket.Properties).toMatchObject({
      BucketName: `crm-${stage}-orders-receipts-123456789012-eu-west-1`,
      LifecycleConfiguration: {
        Rules: [
          expect.objectContaining({
            ExpirationInDays: 3,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
        ],
      },
      NotificationConfiguration: {
        LambdaConfigurations: [
          {
            Event: 's3:ObjectCreated:*',
            Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'incoming/' }] } },
            Function: { 'Fn::GetAtt': [onReceipt, 'Arn'] },
          },
        ],
      },
    })
    // S3 checks the invoke permission when the notification is set: the bucket waits for it.
    const [permissionId, permission] = ofType(t, 'AWS::Lambda::Permission').find(
      ([, p]) => p.Properties.Principal === 's3.amazonaws.com',
    )!
    expect(permission.Properties.SourceAccount).toBe('123456789012')
    expect(flatten(permission.Properties.SourceArn)).toBe(
      `arn:<AWS::Partition>:s3:::crm-${stage}-orders-receipts-123456789012-eu-west-1`,
    )
    expect((bucket as { DependsOn?: string[] }).DependsOn).toContain(permissionId)
    // The access log bucket takes the logs under a bucket policy, only from this bucket.
    const logsPolicy = ofType(t, 'AWS::S3::BucketPolicy')
      .map(([, p]) => JSON.stringify(p.Properties))
      .find((p) => p.includes('logging.s3.amazonaws.com'))
    expect(logsPolicy).toContain('"aws:SourceArn":{"Fn::GetAtt":["Bucketreceipts')
  })

  it('turns manifest.queues into SQS queues with a DLQ, an event source with partial batch failures, and the queue publisher as the one sender', () => {
    // Prepare
    const t = built.service('orders')
    const props = (name: string) =>
      ofType(t, 'AWS::SQS::Queue').find(
        ([, q]) => q.Properties.QueueName === `crm-${stage}-orders-${name}`,
      )![1].Properties
    const mapping = (queue: string) =>
      ofType(t, 'AWS::Lambda::EventSourceMapping')
        .map(([, r]) => r.Properties)
        .find((p) => flatten(p.EventSourceArn) === queueArnText(stage, 'orders', queue))!
    const grants = (fn: string) => queueGrants(t, functionByName(t, `crm-${stage}-orders-${fn}`)[0])
    const env = (fn: string) =>
      (
        functionByName(t, `crm-${stage}-orders-${fn}`)[1].Properties.Environment as {
          Variables: Record<string, unknown>
        }
      ).Variables
    // Assess: defaults (6 × the consumer's 60 s, 5 receives, batches of 10, no concurrency cap) ...
    expect(props('receipt-chunks')).toMatchObject({
      VisibilityTimeout: 360,
      RedrivePolicy: { maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
    })
    expect(mapping('receipt-chunks')).toMatchObject({
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    })
    expect(mapping('receipt-chunks').ScalingConfig).toBeUndefined()
    // ... and every setting given.
    expect(props('order-mail')).toMatchObject({
      VisibilityTimeout: 300,
      RedrivePolicy: { maxReceiveCount: 3 },
    })
    expect(mapping('order-mail')).toMatchObject({ BatchSize: 5, ScalingConfig: { MaximumConcurrency: 4 } })
    expect(props('order-mail-dlq')).toMatchObject({ MessageRetentionPeriod: 1_209_600 })
    // Senders' writes carry their messages: the queue publisher of the table they write gets
    // SendMessage and the URLs, the senders none (nor the event publisher); the consumer receives;
    // nobody else touches the queues.
    const chunks = queueArnText(stage, 'orders', 'receipt-chunks')
    const mail = queueArnText(stage, 'orders', 'order-mail')
    const publisher = functionByName(t, `crm-${stage}-orders-main-outbox-queue`)
    const eventPublisher = functionByName(t, `crm-${stage}-orders-main-outbox`)
    expect(queueGrants(t, eventPublisher[0])).toEqual(new Map())
    expect(
      Object.keys((eventPublisher[1].Properties.Environment as { Variables: object }).Variables).filter((k) =>
        k.endsWith('_QUEUE_URL'),
      ),
    ).toEqual([])
    expect(queueGrants(t, publisher[0])).toEqual(
      new Map([
        [mail, ['sqs:SendMessage']],
        [chunks, ['sqs:SendMessage']],
      ]),
    )
    const publisherEnv = (publisher[1].Properties.Environment as { Variables: Record<string, unknown> })
      .Variables
    expect(flatten(publisherEnv.ORDERS_RECEIPT_CHUNKS_QUEUE_URL)).toBe(
      `https://sqs.eu-west-1.<AWS::URLSuffix>/123456789012/crm-${stage}-orders-receipt-chunks`,
    )
    expect(flatten(publisherEnv.ORDERS_ORDER_MAIL_QUEUE_URL)).toBe(
      `https://sqs.eu-west-1.<AWS::URLSuffix>/123456789012/crm-${stage}-orders-order-mail`,
    )
    expect(grants('on-receipt')).toEqual(new Map())
    expect(grants('create-order')).toEqual(new Map())
    expect(grants('process-chunk').get(chunks)).toEqual(expect.arrayContaining(['sqs:ReceiveMessage']))
    expect(grants('process-chunk').get(chunks)).not.toContain('sqs:SendMessage')
    expect(grants('send-order-mail').get(mail)).not.toContain('sqs:SendMessage')
    expect(grants('get-order')).toEqual(new Map())
    expect(env('on-receipt').ORDERS_RECEIPT_CHUNKS_QUEUE_URL).toBeUndefined()
    expect(env('get-order').ORDERS_RECEIPT_CHUNKS_QUEUE_URL).toBeUndefined()
  })

  it('reads each outbox stream with two filtered publishers: events to the bus, work messages to SQS, each with its own grants and DLQ', () => {
    // Prepare
    const t = built.service('orders')
    const tableId = tableIds(t, stage, orders).get('main')!
    const [eventsId] = functionByName(t, `crm-${stage}-orders-main-outbox`)
    const [queueId] = functionByName(t, `crm-${stage}-orders-main-outbox-queue`)
    const readers = ofType(t, 'AWS::Lambda::EventSourceMapping')
      .map(([, r]) => r.Properties)
      .filter((p) => JSON.stringify(p.EventSourceArn).includes(`"${tableId}"`))
    const readerOf = (fnId: string) =>
      readers.find((p) => JSON.stringify(p.FunctionName).includes(`"${fnId}"`))!
    const pattern = (fnId: string) =>
      (readerOf(fnId).FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((f) =>
        JSON.parse(f.Pattern),
      )
    const dlq = (fnId: string) =>
      (readerOf(fnId).DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } })
        .OnFailure.Destination['Fn::GetAtt'][0]
    const actions = (fnId: string) =>
      publisherActions(t, fnId, readerOf(fnId))
        .flatMap((st) => ([] as string[]).concat(st.Action as string | string[]))
        .filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:'))
        .sort()
    // Assess: exactly two readers of the stream (what DynamoDB streams allow per shard).
    expect(readers).toHaveLength(2)
    expect(pattern(eventsId)).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['outbox'] } } } },
    ])
    expect(pattern(queueId)).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['queue'] } } } },
    ])
    for (const id of [eventsId, queueId]) {
      expect(readerOf(id)).toMatchObject({
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        StartingPosition: 'TRIM_HORIZON',
      })
    }
    expect(dlq(eventsId)).not.toBe(dlq(queueId))
    // Split grants: the bus for one, the queues for the other (stream reads and logs aside).
    expect(actions(eventsId)).toEqual(['events:PutEvents'])
    expect(actions(queueId)).toEqual(['sqs:SendMessage', 'sqs:SendMessage'])
  })

  it('keeps Scan away from functions that serve routes', () => {
    const t = built.service('orders')
    const policyText = (fn: string) =>
      JSON.stringify(statementsOf(t, functionByName(t, `crm-${stage}-orders-${fn}`)[0]))
    expect(policyText('get-order')).not.toContain('dynamodb:Scan')
    expect(policyText('nightly-report')).toContain('dynamodb:Scan')
  })

  it('creates the bus with an archive, and wires the user pool, API and JWT authorizer', () => {
    // Prepare
    const t = built.template(`crm-${stage}-shared`)
    // Assess
    t.hasResourceProperties('AWS::Events::EventBus', { Name: `crm-${stage}` })
    t.resourceCountIs('AWS::Events::Archive', 1)
    // SES events of the stage's configuration set reach the stage's bus through the default bus.
    t.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: `crm-${stage}-mail` })
    t.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: Match.anyValue(),
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ['delivery', 'bounce', 'complaint', 'reject'],
        EventBridgeDestination: Match.objectLike({ EventBusArn: Match.anyValue() }),
      }),
    })
    t.hasResourceProperties('AWS::Events::Rule', {
      Name: `crm-${stage}-ses-events-to-bus`,
      EventBusName: 'default',
      EventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [`crm-${stage}-mail`] } } },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }) })],
    })
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `crm-${stage}/link-signing-key` })
    expect(ofType(t, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName)).toEqual([
      ...ROLES,
    ])
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'tenantId', AttributeDataType: 'String', Mutable: false }),
      ]),
      MfaConfiguration: 'OPTIONAL',
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    })
    const client = ofType(t, 'AWS::Cognito::UserPoolClient')[0]![1].Properties
    expect(client.ReadAttributes).toContain('custom:tenantId')
    expect(client.WriteAttributes).not.toContain('custom:tenantId')
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: Match.stringLikeRegexp('UserPoolWebClient') }],
        Issuer: {
          'Fn::Join': ['', ['https://cognito-idp.eu-west-1.amazonaws.com/', { Ref: Match.anyValue() }]],
        },
      },
    })
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: built.shared.stage.throttle.rateLimit,
        ThrottlingBurstLimit: built.shared.stage.throttle.burstLimit,
      },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    })
  })

  it('gives every function a log group with the stage retention', () => {
    const t = built.service('orders')
    const groups = ofType(t, 'AWS::Logs::LogGroup')
    expect(groups).toHaveLength(ownFunctions(t).length)
    for (const [, g] of groups) expect(g.Properties.RetentionInDays).toBe(built.shared.stage.logRetention)
  })
})

describe('stage differences', () => {
  it('prod retains and protects tables and the user pool; dev destroys them', () => {
    // Prepare
    const devT = dev.service('orders')
    const prodT = prod.service('orders')
    // Assess
    for (const [, table] of ofType(prodT, 'AWS::DynamoDB::Table')) {
      expect(table.DeletionPolicy).toBe('Retain')
      expect(table.Properties.DeletionProtectionEnabled).toBe(true)
    }
    for (const [, table] of ofType(devT, 'AWS::DynamoDB::Table')) {
      expect(table.DeletionPolicy).toBe('Delete')
      expect(table.Properties.DeletionProtectionEnabled).toBe(false)
    }
    const pool = (t: ReturnType<typeof dev.template>) => ofType(t, 'AWS::Cognito::UserPool')[0]![1]
    expect(pool(prod.template('crm-prod-shared')).DeletionPolicy).toBe('Retain')
    expect(pool(prod.template('crm-prod-shared')).Properties.DeletionProtection).toBe('ACTIVE')
    expect(pool(dev.template('crm-dev-shared')).DeletionPolicy).toBe('Delete')
  })

  it('prod retains buckets with their objects; dev destroys them, emptied first', () => {
    // Prepare
    const devT = dev.service('orders')
    const prodT = prod.service('orders')
    // Assess
    expect(ofType(prodT, 'AWS::S3::Bucket').map(([, b]) => b.DeletionPolicy)).toEqual(['Retain', 'Retain'])
    prodT.resourceCountIs('Custom::S3AutoDeleteObjects', 0)
    expect(ofType(devT, 'AWS::S3::Bucket').map(([, b]) => b.DeletionPolicy)).toEqual(['Delete', 'Delete'])
    devT.resourceCountIs('Custom::S3AutoDeleteObjects', 2)
    // Access logs are kept as long as the stage keeps its other logs.
    const logs = (t: typeof devT) =>
      ofType(t, 'AWS::S3::Bucket').find(([, b]) => b.Properties.BucketName === undefined)![1].Properties
    expect(logs(devT).LifecycleConfiguration).toEqual({
      Rules: [{ Id: 'expire-logs', Status: 'Enabled', ExpirationInDays: dev.shared.stage.logRetention }],
    })
    expect(logs(prodT).LifecycleConfiguration).toEqual({
      Rules: [{ Id: 'expire-logs', Status: 'Enabled', ExpirationInDays: prod.shared.stage.logRetention }],
    })
  })

  it('prod alarms on API 5xx, throttles, every DLQ and every function; dev has none', () => {
    // Prepare
    const t = prod.service('orders')
    const alarms = ofType(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties)
    const dimensionsOf = (a: Record<string, unknown>) => JSON.stringify(a.Dimensions)
    const workQueues = new Set(
      ofType(t, 'AWS::SQS::Queue')
        .filter(([, q]) => q.Properties.RedrivePolicy)
        .map(([id]) => id),
    )
    // Assess
    expect(workQueues.size).toBe(2)
    for (const [queueId] of ofType(t, 'AWS::SQS::Queue').filter(([id]) => !workQueues.has(id))) {
      expect(
        alarms.some(
          (a) =>
            a.MetricName === 'ApproximateNumberOfMessagesVisible' && dimensionsOf(a).includes(`"${queueId}"`),
        ),
        `DLQ ${queueId} alarm`,
      ).toBe(true)
    }
    // One alarm per function: errors + throttles by metric math.
    const mathOf = (a: Record<string, unknown>) => JSON.stringify(a.Metrics ?? [])
    for (const [fnId] of ownFunctions(t)) {
      const own = alarms.filter((a) => mathOf(a).includes(`"${fnId}"`))
      expect(own, fnId).toHaveLength(1)
      for (const metric of ['Errors', 'Throttles']) {
        expect(mathOf(own[0]!), `${fnId} ${metric}`).toContain(`"MetricName":"${metric}"`)
      }
      expect(mathOf(own[0]!)).toContain('"Expression":"errors + throttles"')
    }
    for (const a of alarms) expect(a.AlarmActions).toHaveLength(1)
    const shared = prod.template('crm-prod-shared')
    shared.resourceCountIs('AWS::SNS::Topic', 1)
    shared.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5xx', Namespace: 'AWS/ApiGateway' })
    shared.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '4xx', Namespace: 'AWS/ApiGateway' })
    dev.service('orders').resourceCountIs('AWS::CloudWatch::Alarm', 0)
    dev.template('crm-dev-shared').resourceCountIs('AWS::CloudWatch::Alarm', 0)
    dev.template('crm-dev-shared').resourceCountIs('AWS::SNS::Topic', 0)
  })

  it('prod keeps RETAIN on every stateful resource it creates', () => {
    for (const t of [prod.template('crm-prod-shared'), prod.service('orders')]) {
      for (const [id, r] of Object.entries(resources(t))) {
        if (
          [
            'AWS::DynamoDB::Table',
            'AWS::Cognito::UserPool',
            'AWS::Logs::LogGroup',
            'AWS::S3::Bucket',
          ].includes(r.Type)
        ) {
          expect(r.DeletionPolicy, id).toBe('Retain')
        }
      }
    }
  })
})
