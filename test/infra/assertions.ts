/**
 * Checks that hold for ANY manifest: the synthesized service stack contains exactly what the
 * manifest declares. Used on the test fixture and on every registered service.
 */
import type { BucketAccess, ServiceManifest } from '@relay/core/manifest'
import { functionTimeoutSeconds } from '@relay/core/manifest-validation'
import {
  bucketEnvVar,
  deadLetterQueueName,
  physicalBucketName,
  physicalQueueName,
  physicalTableName,
  queueEnvVar,
  tableEnvVar,
} from '@relay/core/names'
import type { Template } from 'aws-cdk-lib/assertions'
import { expect } from 'vitest'

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }
type Resources = Record<string, Resource>

export function resources(t: Template): Resources {
  const raw =
    (t.toJSON() as { Resources?: Record<string, Partial<Resource> & { Type: string }> }).Resources ?? {}
  // Properties normalised to {} so that callers can read them without optional chaining.
  return Object.fromEntries(
    Object.entries(raw).map(([id, r]) => [id, { ...r, Properties: r.Properties ?? {} }]),
  )
}

export function ofType(t: Template, type: string): [string, Resource][] {
  return Object.entries(resources(t)).filter(([, r]) => r.Type === type)
}

/**
 * The functions of a template that the app itself defines: without the provider function CDK adds
 * for `autoDeleteObjects` buckets (a CDK-managed custom resource, in dev and staging only).
 */
export function ownFunctions(t: Template): [string, Resource][] {
  return ofType(t, 'AWS::Lambda::Function').filter(([id]) => !/^Custom.*CustomResourceProvider/.test(id))
}

/** A CloudFormation string value as text: `Fn::Join` flattened, each `Ref` written `<Name>`. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value
  const o = value as Record<string, unknown>
  if (typeof o?.Ref === 'string') return `<${o.Ref}>`
  if (Array.isArray(o?.['Fn::GetAtt'])) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`
  const join = o?.['Fn::Join'] as [string, unknown[]] | undefined
  if (join) return join[1].map(flatten).join(join[0])
  return JSON.stringify(value)
}

/** Every logical id a CloudFormation value refers to (Ref / Fn::GetAtt), and whether it imports anything. */
export function references(value: unknown, out: { ids: Set<string>; imports: unknown[]; strings: string[] }) {
  if (Array.isArray(value)) {
    for (const v of value) references(v, out)
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    if (typeof o.Ref === 'string') out.ids.add(o.Ref)
    if (Array.isArray(o['Fn::GetAtt'])) out.ids.add(String(o['Fn::GetAtt'][0]))
    if ('Fn::ImportValue' in o) out.imports.push(o['Fn::ImportValue'])
    for (const v of Object.values(o)) references(v, out)
  } else if (typeof value === 'string') {
    out.strings.push(value)
  }
  return out
}

const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
]

/** Logical id of the Lambda function whose FunctionName is `name`. */
export function functionByName(t: Template, name: string): [string, Resource] {
  const found = ofType(t, 'AWS::Lambda::Function').find(([, r]) => r.Properties.FunctionName === name)
  if (!found) throw new Error(`No function named ${name}`)
  return found
}

/** Every statement of every IAM policy attached to the function's role. */
export function statementsOf(t: Template, fnLogicalId: string): Record<string, unknown>[] {
  const fn = resources(t)[fnLogicalId]!
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]
  return ofType(t, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement)
}

/** `arn:<partition>:dynamodb:<region>:<account>:table/<name>[/index/<gsi>]`, as {@link flatten} writes it. */
const TABLE_ARN = /^arn:<AWS::Partition>:dynamodb:[^:]+:[^:]+:table\/([^/]+)(?:\/index\/([^/]+))?$/

/**
 * Table access of one function as the policy grants it: logical table id → 'read' | 'write'.
 * Tables are named by ARN (built from their names; the function may sit in another stack than its
 * tables) or referenced (the outbox stream). Fails the test if a DynamoDB statement names anything
 * but a table of this service (another service's table, an import, an index the manifest does not
 * declare) or uses a wildcard.
 */
export function tableAccess(t: Template, fnLogicalId: string): Map<string, 'read' | 'write'> {
  const all = resources(t)
  const byName = new Map(
    ofType(t, 'AWS::DynamoDB::Table').map(([id, r]) => [r.Properties.TableName as string, { id, r }]),
  )
  const access = new Map<string, 'read' | 'write'>()
  const grant = (id: string, dynamo: string[]) => {
    const level = dynamo.some((a) => WRITE_ACTIONS.includes(a)) ? 'write' : 'read'
    if (access.get(id) !== 'write') access.set(id, level)
  }
  for (const st of statementsOf(t, fnLogicalId)) {
    const refs = references(st.Resource, { ids: new Set(), imports: [], strings: [] })
    const actions = ([] as string[]).concat(st.Action as string | string[])
    const dynamo = actions.filter((a) => a.startsWith('dynamodb:'))
    if (dynamo.length === 0 || (actions.length === 1 && actions[0] === 'dynamodb:ListStreams')) continue
    expect(refs.imports, `${fnLogicalId}: DynamoDB statement imports a value`).toEqual([])
    for (const resource of ([] as unknown[]).concat(st.Resource)) {
      const text = flatten(resource)
      const named = TABLE_ARN.exec(text)
      if (named) {
        const table = byName.get(named[1]!)
        expect(table, `${fnLogicalId}: ${text} is not a table of this service`).toBeDefined()
        if (named[2]) {
          const gsis = (table!.r.Properties.GlobalSecondaryIndexes ?? []) as { IndexName: string }[]
          expect(
            gsis.map((g) => g.IndexName),
            `${fnLogicalId}: ${text}`,
          ).toContain(named[2])
        }
        grant(table!.id, dynamo)
        continue
      }
      const ids = [...references(resource, { ids: new Set(), imports: [], strings: [] }).ids]
      const tables = ids.filter((id) => all[id]?.Type === 'AWS::DynamoDB::Table')
      expect(tables, `${fnLogicalId}: DynamoDB resource ${text} names no table of this service`).toHaveLength(
        1,
      )
      grant(tables[0]!, dynamo)
    }
  }
  return access
}

const BUCKET_ACTIONS: Record<BucketAccess, string[]> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
  readwrite: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
}

/** S3 grants of one function as its policy states them: object ARN → actions (sorted). */
export function bucketGrants(t: Template, fnLogicalId: string): Map<string, string[]> {
  const grants = new Map<string, string[]>()
  for (const st of statementsOf(t, fnLogicalId)) {
    const actions = ([] as string[]).concat(st.Action as string | string[]).filter((a) => a.startsWith('s3:'))
    if (!actions.length) continue
    for (const resource of ([] as unknown[]).concat(st.Resource)) {
      grants.set(flatten(resource), [...(grants.get(flatten(resource)) ?? []), ...actions].sort())
    }
  }
  return grants
}

/** Logical id and physical name of each manifest bucket, by logical bucket name. */
export function bucketsOf(
  t: Template,
  stage: string,
  m: ServiceManifest,
): Map<string, { id: string; name: string }> {
  const found = new Map<string, { id: string; name: string }>()
  for (const name of Object.keys(m.buckets ?? {})) {
    const prefix = `${physicalBucketName(stage, m.name, name)}-`
    const bucket = ofType(t, 'AWS::S3::Bucket').find(([, r]) =>
      flatten(r.Properties.BucketName ?? '').startsWith(prefix),
    )
    expect(bucket, `bucket ${name} of ${m.name}`).toBeDefined()
    found.set(name, { id: bucket![0], name: flatten(bucket![1].Properties.BucketName) })
  }
  return found
}

/** Logical id of each manifest table, by logical table name. */
export function tableIds(t: Template, stage: string, m: ServiceManifest): Map<string, string> {
  const ids = new Map<string, string>()
  for (const name of Object.keys(m.tables)) {
    const found = ofType(t, 'AWS::DynamoDB::Table').find(
      ([, r]) => r.Properties.TableName === physicalTableName(stage, m.name, name),
    )
    expect(found, `table ${name} of ${m.name}`).toBeDefined()
    ids.set(name, found![0])
  }
  return ids
}

/** Asserts that the service stack template holds exactly what the manifest declares. */
export function assertServiceMatchesManifest(t: Template, stage: string, m: ServiceManifest): void {
  // Tables: keys, GSIs, TTL, stream, billing, PITR, encryption.
  expect(ofType(t, 'AWS::DynamoDB::Table')).toHaveLength(Object.keys(m.tables).length)
  const ids = tableIds(t, stage, m)
  for (const [name, def] of Object.entries(m.tables)) {
    const p = resources(t)[ids.get(name)!]!.Properties
    expect(p.KeySchema).toEqual([
      { AttributeName: def.partitionKey, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey, KeyType: 'RANGE' }] : []),
    ])
    expect(p.BillingMode).toBe('PAY_PER_REQUEST')
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true })
    expect(p.SSESpecification).toEqual({ SSEEnabled: true })
    expect(p.TimeToLiveSpecification).toEqual(def.ttl ? { AttributeName: def.ttl, Enabled: true } : undefined)
    expect(p.StreamSpecification).toEqual(def.outbox ? { StreamViewType: 'NEW_AND_OLD_IMAGES' } : undefined)
    expect(p.GlobalSecondaryIndexes ?? []).toEqual(
      (def.gsis ?? []).map((g) => ({
        IndexName: g.name,
        KeySchema: [
          { AttributeName: g.partitionKey, KeyType: 'HASH' },
          ...(g.sortKey ? [{ AttributeName: g.sortKey, KeyType: 'RANGE' }] : []),
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    )
    for (const attr of p.AttributeDefinitions as { AttributeType: string }[])
      expect(attr.AttributeType).toBe('S')
  }

  // Functions: one per manifest function (+ per outbox table an event publisher, and a queue
  // publisher when the service declares queues), grants and env.
  const outboxTables = Object.entries(m.tables).filter(([, d]) => d.outbox)
  const hasQueues = Object.keys(m.queues ?? {}).length > 0
  const publishersPerTable = hasQueues ? 2 : 1
  expect(ownFunctions(t)).toHaveLength(
    Object.keys(m.functions).length + publishersPerTable * outboxTables.length,
  )
  const buckets = bucketsOf(t, stage, m)
  for (const [name, def] of Object.entries(m.functions)) {
    const [fnId, fn] = functionByName(t, `crm-${stage}-${m.name}-${name}`)
    const granted = def.tables ?? Object.fromEntries(Object.keys(m.tables).map((k) => [k, 'write']))
    const expected = new Map(Object.entries(granted).map(([table, level]) => [ids.get(table)!, level]))
    expect(tableAccess(t, fnId), `table grants of ${m.name}/${name}`).toEqual(expected)
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables
    expect(
      Object.keys(env)
        .filter((k) => k.endsWith('_TABLE'))
        .sort(),
    ).toEqual(
      Object.keys(granted)
        .map((table) => tableEnvVar(m.name, table))
        .sort(),
    )
    for (const table of Object.keys(granted)) {
      expect(env[tableEnvVar(m.name, table)]).toBe(physicalTableName(stage, m.name, table))
    }
    expect(env).toMatchObject({ STAGE: stage, POWERTOOLS_SERVICE_NAME: m.name })
    // Buckets: an env var and an object grant for exactly the buckets of its FunctionDef.
    const wanted = Object.entries(def.buckets ?? {})
    expect(
      Object.keys(env)
        .filter((k) => k.endsWith('_BUCKET'))
        .sort(),
      `bucket env of ${m.name}/${name}`,
    ).toEqual(wanted.map(([b]) => bucketEnvVar(m.name, b)).sort())
    for (const [b] of wanted) expect(flatten(env[bucketEnvVar(m.name, b)])).toBe(buckets.get(b)!.name)
    expect(bucketGrants(t, fnId), `bucket grants of ${m.name}/${name}`).toEqual(
      new Map(
        wanted.map(([b, access]) => [
          `arn:<AWS::Partition>:s3:::${buckets.get(b)!.name}/*`,
          [...BUCKET_ACTIONS[access]].sort(),
        ]),
      ),
    )
    // Queues: no URL env var and no SendMessage, whatever its `sendsTo` (its writes carry its
    // messages, the outbox publisher sends them); the consumer's grants on the queue it consumes.
    expect(
      Object.keys(env).filter((k) => k.endsWith('_QUEUE_URL')),
      `queue env of ${m.name}/${name}`,
    ).toEqual([])
    const expectedQueueGrants = new Map<string, string[]>()
    for (const [q, d] of Object.entries(m.queues ?? {})) {
      if (d.consumer !== name) continue
      expectedQueueGrants.set(queueArnText(stage, m.name, q), [...CONSUME_ACTIONS].sort())
    }
    expect(queueGrants(t, fnId), `queue grants of ${m.name}/${name}`).toEqual(expectedQueueGrants)
    expect(env.EVENT_BUS_NAME).toBeDefined()
    expect(env.MAIL_FROM).toBeDefined()
    if (def.memoryMb) expect(fn.Properties.MemorySize).toBe(def.memoryMb)
    if (def.timeoutSeconds) expect(fn.Properties.Timeout).toBe(def.timeoutSeconds)
    const actions = statementsOf(t, fnId).flatMap((s) =>
      ([] as string[]).concat(s.Action as string | string[]),
    )
    expect(actions.includes('events:PutEvents'), `${name} PutEvents`).toBe(Boolean(def.publishes))
    expect(actions.includes('ses:SendEmail'), `${name} SendEmail`).toBe(Boolean(def.sendsEmail))
    expect(env.SES_CONFIGURATION_SET, `${name} configuration set`).toBe(
      def.sendsEmail ? `crm-${stage}-mail` : undefined,
    )
    // The link key by name, read-only, only where a function signs or verifies links.
    expect(env.LINK_SECRET_ARN, `${name} link key`).toBe(
      def.signsLinks ? `crm-${stage}/link-signing-key` : undefined,
    )
    expect(actions.includes('secretsmanager:GetSecretValue'), `${name} reads the link key`).toBe(
      Boolean(def.signsLinks),
    )
    expect(env.PUBLIC_BASE_URL !== undefined, `${name} public URL`).toBe(
      Boolean(def.sendsEmail || def.signsLinks),
    )
  }

  // Routes: exact RouteKey and auth type, nothing more.
  const routes = ofType(t, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties)
  expect(routes.map((r) => r.RouteKey).sort()).toEqual(m.routes.map((r) => `${r.method} ${r.path}`).sort())
  for (const route of m.routes) {
    const r = routes.find((x) => x.RouteKey === `${route.method} ${route.path}`)!
    expect(r.AuthorizationType, `${r.RouteKey} auth`).toBe(route.roles === 'public' ? 'NONE' : 'JWT')
    if (route.roles !== 'public') expect(r.AuthorizerId).toBeDefined()
  }

  // Subscriptions and schedules: exact pattern / expression, a target with a DLQ and a retry policy.
  const rules = ofType(t, 'AWS::Events::Rule').map(([, r]) => r.Properties)
  expect(rules).toHaveLength(m.subscriptions.length + m.schedules.length)
  const queues = new Set(ofType(t, 'AWS::SQS::Queue').map(([id]) => id))
  const targetOf = (rule: Record<string, unknown>, fnName: string) => {
    const targets = rule.Targets as Record<string, unknown>[]
    expect(targets).toHaveLength(1)
    const [fnId] = functionByName(t, `crm-${stage}-${m.name}-${fnName}`)
    expect(targets[0]!.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] })
    const dlq = (targets[0]!.DeadLetterConfig as { Arn: { 'Fn::GetAtt': [string, string] } }).Arn[
      'Fn::GetAtt'
    ][0]
    expect(queues.has(dlq), 'DLQ is a queue of this stack').toBe(true)
    expect(targets[0]!.RetryPolicy).toBeDefined()
  }
  for (const sub of m.subscriptions) {
    const rule = rules.find((r) => r.Description === `${m.name}: ${sub.name} → ${sub.function}`)
    expect(rule, `rule of subscription ${sub.name}`).toBeDefined()
    expect(rule!.EventPattern).toStrictEqual(sub.pattern)
    expect(rule!.EventBusName).toBeDefined()
    expect(rule!.ScheduleExpression).toBeUndefined()
    targetOf(rule!, sub.function)
  }
  for (const schedule of m.schedules) {
    const rule = rules.find(
      (r) => r.ScheduleExpression === schedule.expression && String(r.Description).includes(schedule.name),
    )
    expect(rule, `rule of schedule ${schedule.name}`).toBeDefined()
    // Scheduled rules live on the default bus.
    expect(rule!.EventBusName).toBeUndefined()
    targetOf(rule!, schedule.function)
  }

  // Buckets: private, TLS only, encrypted, expiring, logged; triggers as S3 notifications.
  const s3Buckets = ofType(t, 'AWS::S3::Bucket')
  expect(s3Buckets).toHaveLength(buckets.size ? buckets.size + 1 : 0)
  const bucketPolicies = ofType(t, 'AWS::S3::BucketPolicy').map(([, p]) => p.Properties)
  for (const [id, bucket] of s3Buckets) {
    const p = bucket.Properties
    expect(p.PublicAccessBlockConfiguration, id).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    })
    expect(p.BucketEncryption, id).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    })
    expect(p.OwnershipControls, id).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] })
    const policy = bucketPolicies.find((x) => JSON.stringify(x.Bucket) === JSON.stringify({ Ref: id }))
    expect(JSON.stringify(policy?.PolicyDocument), `${id} enforces SSL`).toContain(
      '"Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effect":"Deny"',
    )
  }
  const triggers = m.objectTriggers ?? []
  const permissions = ofType(t, 'AWS::Lambda::Permission').map(([, r]) => r.Properties)
  for (const [name, def] of Object.entries(m.buckets ?? {})) {
    const { id, name: physical } = buckets.get(name)!
    const p = resources(t)[id]!.Properties
    expect(physical).toMatch(new RegExp(`^${physicalBucketName(stage, m.name, name)}-.+-.+$`))
    expect(p.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'expire-objects',
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          ...(def.expireAfterDays ? { ExpirationInDays: def.expireAfterDays } : {}),
        },
      ],
    })
    expect(p.CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedMethods: ['PUT', 'GET', 'HEAD'],
          AllowedOrigins: ['*'],
          AllowedHeaders: ['*'],
          ExposedHeaders: ['ETag'],
          MaxAge: 3000,
        },
      ],
    })
    expect(p.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: expect.stringMatching(/^AccessLogs/) },
      LogFilePrefix: `${name}/`,
    })
    const own = triggers.filter((x) => x.bucket === name)
    expect(p.NotificationConfiguration, `notifications of bucket ${name}`).toEqual(
      own.length
        ? {
            LambdaConfigurations: own.map((x) => ({
              Event: 's3:ObjectCreated:*',
              Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: x.prefix }] } },
              Function: {
                'Fn::GetAtt': [functionByName(t, `crm-${stage}-${m.name}-${x.function}`)[0], 'Arn'],
              },
            })),
          }
        : undefined,
    )
    for (const x of own) {
      const [fnId] = functionByName(t, `crm-${stage}-${m.name}-${x.function}`)
      expect(
        permissions
          .filter(
            (perm) =>
              perm.Principal === 's3.amazonaws.com' &&
              JSON.stringify(perm.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] }),
          )
          .map((perm) => flatten(perm.SourceArn)),
        `invoke permission of trigger ${x.name}`,
      ).toEqual([`arn:<AWS::Partition>:s3:::${physical}`])
      // S3 has no DLQ of its own: what the function fails on after Lambda's retries goes to a queue.
      const invokeConfig = ofType(t, 'AWS::Lambda::EventInvokeConfig').find(
        ([, c]) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: fnId }),
      )
      expect(invokeConfig?.[1].Properties, `on-failure queue of ${x.function}`).toMatchObject({
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: expect.anything() } },
      })
    }
  }

  // Every queue enforces TLS.
  const policies = ofType(t, 'AWS::SQS::QueuePolicy').map(([, p]) => JSON.stringify(p.Properties))
  for (const q of queues) {
    const policy = policies.find((p) => p.includes(`"${q}"`) && p.includes('"aws:SecureTransport":"false"'))
    expect(policy, `queue ${q} enforces SSL`).toBeDefined()
  }

  // Work queues: queue and DLQ by name, SSE, retention, visibility, redrive; the consumer's event source.
  const mappings = ofType(t, 'AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties)
  const workQueues = Object.entries(m.queues ?? {})
  expect(mappings).toHaveLength(publishersPerTable * outboxTables.length + workQueues.length)
  const sqsQueues = ofType(t, 'AWS::SQS::Queue')
  for (const [name, def] of workQueues) {
    const queue = sqsQueues.find(([, q]) => q.Properties.QueueName === physicalQueueName(stage, m.name, name))
    const dlq = sqsQueues.find(([, q]) => q.Properties.QueueName === deadLetterQueueName(stage, m.name, name))
    expect(queue, `queue ${name}`).toBeDefined()
    expect(dlq, `dead-letter queue of ${name}`).toBeDefined()
    const { Tags: _tags, ...queueProps } = queue![1].Properties
    expect(queueProps).toEqual({
      QueueName: physicalQueueName(stage, m.name, name),
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 4 * 24 * 3600,
      VisibilityTimeout: def.visibilityTimeoutSeconds ?? 6 * functionTimeoutSeconds(m, def.consumer),
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq![0], 'Arn'] },
        maxReceiveCount: def.maxReceiveCount ?? 5,
      },
    })
    expect(dlq![1].Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    })
    expect(flatten(JSON.stringify(dlq![1].Properties.RedriveAllowPolicy))).toContain(
      '"redrivePermission":"byQueue"',
    )
    const [consumerId, consumer] = functionByName(t, `crm-${stage}-${m.name}-${def.consumer}`)
    const mapping = mappings.find((p) => flatten(p.EventSourceArn) === queueArnText(stage, m.name, name))
    expect(mapping, `event source of queue ${name}`).toBeDefined()
    expect(mapping).toMatchObject({
      FunctionName: { Ref: consumerId },
      BatchSize: def.batchSize ?? 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    })
    expect(mapping!.ScalingConfig).toEqual(
      def.maxConcurrency ? { MaximumConcurrency: def.maxConcurrency } : undefined,
    )
    // Visibility at least the consumer's timeout, or SQS hands a message out again mid-run.
    expect(queue![1].Properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(
      consumer.Properties.Timeout as number,
    )
  }
  // No function other than the consumer may touch a work queue (checked per function above); the
  // outbox publishers send (below).

  // Outbox publishers, per outbox table: the event publisher (kind = outbox, PutEvents only) and,
  // when the service declares queues, the queue publisher (kind = queue, SendMessage only). Each
  // reads the table's stream through its own filtered mapping with its own dead-letter queue.
  const mappingOf = (fnId: string) => {
    const own = mappings.filter((p) => JSON.stringify(p.FunctionName).includes(`"${fnId}"`))
    expect(own, `event source mappings of ${fnId}`).toHaveLength(1)
    return own[0]!
  }
  const failureQueues = new Set<string>()
  for (const [name] of outboxTables) {
    const [pubId, pub] = functionByName(t, `crm-${stage}-${m.name}-${name}-outbox`)
    const queuePub = hasQueues ? functionByName(t, `crm-${stage}-${m.name}-${name}-outbox-queue`) : undefined
    if (!hasQueues)
      expect(
        ownFunctions(t).some(
          ([, f]) => f.Properties.FunctionName === `crm-${stage}-${m.name}-${name}-outbox-queue`,
        ),
        `no queue publisher for ${name} (the service has no queues)`,
      ).toBe(false)
    const streamMappings = mappings.filter((p) =>
      JSON.stringify(p.EventSourceArn).includes(`"${ids.get(name)}"`),
    )
    // DynamoDB streams allow two readers per shard: never more than the two publishers.
    expect(streamMappings, `stream readers of ${name}`).toHaveLength(publishersPerTable)
    for (const [fnId, kind] of [[pubId, 'outbox'], ...(queuePub ? [[queuePub[0], 'queue']] : [])] as const) {
      const mapping = mappingOf(fnId)
      expect(streamMappings, `${fnId} reads the stream of ${name}`).toContain(mapping)
      expect(mapping).toMatchObject({
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumRetryAttempts: 10,
      })
      const destination = (
        mapping.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } }
      ).OnFailure.Destination['Fn::GetAtt'][0]
      expect(queues.has(destination), `${fnId} on-failure destination is a queue of this stack`).toBe(true)
      failureQueues.add(destination)
      const filters = (mapping.FilterCriteria as { Filters: { Pattern: string }[] }).Filters
      expect(
        filters.map((f) => JSON.parse(f.Pattern)),
        `stream filter of ${fnId}`,
      ).toEqual([{ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: [kind] } } } }])
    }
    // The event publisher: PutEvents, no queue URL, no SQS grant, no table access beyond the stream.
    // (Its on-failure queue's grant, which the event source adds, is that queue's alone.)
    const actions = (fnId: string) =>
      publisherActions(t, fnId, mappingOf(fnId)).flatMap((s) =>
        ([] as string[]).concat(s.Action as string | string[]),
      )
    expect(actions(pubId)).toContain('events:PutEvents')
    expect(
      actions(pubId).filter((a) => a.startsWith('sqs:')),
      `SQS actions of the ${name} event publisher`,
    ).toEqual([])
    const pubEnv = (pub.Properties.Environment as { Variables: Record<string, unknown> }).Variables
    expect(
      Object.keys(pubEnv).filter((k) => k.endsWith('_QUEUE_URL')),
      `queue env of the ${name} event publisher`,
    ).toEqual([])
    expect(queueGrants(t, pubId), `queue grants of the ${name} event publisher`).toEqual(new Map())
    for (const id of [pubId, ...(queuePub ? [queuePub[0]] : [])])
      expect(
        actions(id).filter((a) => [...WRITE_ACTIONS, 'dynamodb:GetItem', 'dynamodb:Query'].includes(a)),
      ).toEqual([])
    if (!queuePub) continue
    // The queue publisher: a URL env var and SendMessage for exactly the queues that the functions
    // writing this table may enqueue to (their `sendsTo`), and no bus access.
    const [queuePubId, queueFn] = queuePub
    expect(
      actions(queuePubId).filter((a) => a.startsWith('events:')),
      `bus actions of the ${name} queue publisher`,
    ).toEqual([])
    const enqueued = [
      ...new Set(
        Object.values(m.functions)
          .filter((d) => (d.tables ? d.tables[name] === 'write' : true))
          .flatMap((d) => d.sendsTo ?? []),
      ),
    ].sort()
    const queueEnv = (queueFn.Properties.Environment as { Variables: Record<string, unknown> }).Variables
    expect(
      Object.keys(queueEnv)
        .filter((k) => k.endsWith('_QUEUE_URL'))
        .sort(),
      `queue env of the ${name} queue publisher`,
    ).toEqual(enqueued.map((q) => queueEnvVar(m.name, q)).sort())
    for (const q of enqueued) {
      expect(flatten(queueEnv[queueEnvVar(m.name, q)])).toMatch(
        new RegExp(`^https://sqs\\.[^/]+/[^/]+/${physicalQueueName(stage, m.name, q)}$`),
      )
    }
    expect(queueGrants(t, queuePubId), `queue grants of the ${name} queue publisher`).toEqual(
      new Map(enqueued.map((q) => [queueArnText(stage, m.name, q), ['sqs:SendMessage']])),
    )
  }
  // Each publisher fails over to a dead-letter queue of its own.
  expect(failureQueues.size, 'one on-failure queue per outbox publisher').toBe(
    publishersPerTable * outboxTables.length,
  )
}

/**
 * The statements of an outbox publisher's policy, without the grant on its own on-failure queue
 * (checked to be only what the stream event source needs to send a failed batch there).
 */
export function publisherActions(
  t: Template,
  fnId: string,
  mapping: Record<string, unknown>,
): Record<string, unknown>[] {
  const dlq = (
    mapping.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } }
  ).OnFailure.Destination['Fn::GetAtt'][0]
  const onDlq = (s: Record<string, unknown>) => JSON.stringify(s.Resource).includes(`"${dlq}"`)
  const statements = statementsOf(t, fnId)
  for (const s of statements.filter(onDlq)) {
    expect(([] as string[]).concat(s.Action as string | string[]).sort(), `${fnId} grant on its DLQ`).toEqual(
      ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
    )
  }
  expect(statements.some(onDlq), `${fnId} may send to its DLQ`).toBe(true)
  return statements.filter((s) => !onDlq(s))
}

/** Actions the SQS event source grants its consumer on the queue. */
const CONSUME_ACTIONS = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
]

/** A work queue's ARN as {@link flatten} writes it (the tests' env: eu-west-1, 123456789012). */
export function queueArnText(stage: string, service: string, queue: string): string {
  return `arn:<AWS::Partition>:sqs:eu-west-1:123456789012:${physicalQueueName(stage, service, queue)}`
}

/** SQS grants of one function as its policy states them: queue ARN → actions (sorted). */
export function queueGrants(t: Template, fnLogicalId: string): Map<string, string[]> {
  const grants = new Map<string, string[]>()
  for (const st of statementsOf(t, fnLogicalId)) {
    const actions = ([] as string[])
      .concat(st.Action as string | string[])
      .filter((a) => a.startsWith('sqs:'))
    if (!actions.length) continue
    for (const resource of ([] as unknown[]).concat(st.Resource)) {
      const arn = flatten(resource)
      // The on-failure queue of async invocations is the function's own, not a work queue.
      if (!/:sqs:/.test(arn)) continue
      grants.set(arn, [...(grants.get(arn) ?? []), ...actions].sort())
    }
  }
  return grants
}

/** Every Lambda function of a template runs nodejs22.x on arm64. */
export function assertRuntime(t: Template): void {
  for (const [id, fn] of ownFunctions(t)) {
    expect(fn.Properties.Runtime, id).toBe('nodejs22.x')
    expect(fn.Properties.Architectures, id).toEqual(['arm64'])
  }
}
