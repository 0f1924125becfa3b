/**
 * The stacks of one service. The data stack `crm-<stage>-<service>` holds what keeps state or is
 * tied to it (tables, buckets, work queues, outbox publishers, object trigger functions); function
 * stacks `crm-<stage>-<service>-<n>` hold the other functions, each with its routes, rules and queue
 * event sources. Function stacks address the data stack's resources by their fixed names (ARNs and
 * URLs built from `@relay/core/names`), so no stack of a service exports anything to another.
 */
import { Stack, type StackProps, Validations } from 'aws-cdk-lib'
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs'
import type * as s3 from 'aws-cdk-lib/aws-s3'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import * as cxapi from 'aws-cdk-lib/cx-api'
import type { Construct } from 'constructs'
import { addBucket, addObjectTriggers } from './buckets.js'
import type { ServiceContext } from './context.js'
import { addManifestFunction } from './functions.js'
import { addOutboxPublishers } from './outbox.js'
import { addQueueConsumer, addWorkQueue, consumedWorkQueue } from './queues.js'
import { addRoutes } from './routes.js'
import { addRules } from './rules.js'
import { addTable } from './tables.js'

export interface ServiceStackProps extends StackProps {
  context: ServiceContext
}

/** Stacks that hold functions of a service (both kinds do). */
abstract class ServiceStackBase extends Stack {
  readonly context: ServiceContext
  /** Manifest functions of this stack, by manifest name. */
  readonly functions = new Map<string, NodejsFunction>()

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props)
    this.context = props.context
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Functions are pinned to nodejs22.x on purpose: the project builds, tests and benchmarks on Node 22 (package.json engines and the node devDependency).',
    })
  }

  /** A manifest function with everything that invokes it: routes, rules, queue event sources. */
  protected addFunction(name: string): NodejsFunction {
    const ctx = this.context
    const fn = addManifestFunction(this, ctx, name)
    addRoutes(this, ctx, name, fn)
    addRules(this, ctx, name, fn)
    for (const [queue, def] of Object.entries(ctx.manifest.queues ?? {})) {
      if (def.consumer === name) addQueueConsumer(fn, consumedWorkQueue(this, ctx, queue), def)
    }
    this.functions.set(name, fn)
    return fn
  }
}

export class ServiceDataStack extends ServiceStackBase {
  readonly tables = new Map<string, dynamodb.Table>()
  readonly buckets = new Map<string, s3.Bucket>()
  readonly queues = new Map<string, sqs.Queue>()
  /** The event publisher of each outbox table. */
  readonly outboxPublishers = new Map<string, NodejsFunction>()
  /** The queue publisher of each outbox table (when the service declares queues). */
  readonly queuePublishers = new Map<string, NodejsFunction>()

  constructor(scope: Construct, id: string, props: ServiceStackProps & { functions: readonly string[] }) {
    super(scope, id, props)
    const ctx = props.context
    const { manifest } = ctx
    // Server access logs are delivered under a bucket policy instead of the legacy LogDeliveryWrite
    // ACL (ACLs stay disabled on every bucket), whatever the app's feature flags say.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true)
    for (const [name, def] of Object.entries(manifest.tables))
      this.tables.set(name, addTable(this, ctx, name, def))
    for (const [name, def] of Object.entries(manifest.buckets ?? {}))
      this.buckets.set(name, addBucket(this, ctx, name, def))
    for (const [name, def] of Object.entries(manifest.queues ?? {}))
      this.queues.set(name, addWorkQueue(this, ctx, name, def))
    for (const name of props.functions) this.addFunction(name)
    addObjectTriggers(this, ctx, this.buckets, this.functions)
    for (const [name, def] of Object.entries(manifest.tables)) {
      if (!def.outbox) continue
      const publishers = addOutboxPublishers(this, ctx, name, this.tables.get(name)!)
      this.outboxPublishers.set(name, publishers.events)
      if (publishers.queue) this.queuePublishers.set(name, publishers.queue)
    }
  }
}

export class ServiceFunctionStack extends ServiceStackBase {
  constructor(scope: Construct, id: string, props: ServiceStackProps & { functions: readonly string[] }) {
    super(scope, id, props)
    for (const name of props.functions) this.addFunction(name)
  }
}

/** True when a data stack would hold nothing (CloudFormation rejects a template without resources). */
export function dataStackIsEmpty(ctx: ServiceContext, functions: readonly string[]): boolean {
  const m = ctx.manifest
  return (
    Object.keys(m.tables).length === 0 &&
    Object.keys(m.buckets ?? {}).length === 0 &&
    Object.keys(m.queues ?? {}).length === 0 &&
    functions.length === 0
  )
}
