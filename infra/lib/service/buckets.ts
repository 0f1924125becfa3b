/**
 * S3: one bucket per manifest bucket (and one access log bucket) in the data stack, object triggers
 * on the bucket's own notification configuration, and object grants by the bucket's name.
 */
import type { BucketAccess, BucketDef } from '@relay/core/manifest'
import { physicalBucketName } from '@relay/core/names'
import { Aws, Duration, RemovalPolicy, type Stack, Token, Validations } from 'aws-cdk-lib'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as s3 from 'aws-cdk-lib/aws-s3'
import { nagArn, pascal, type ServiceContext } from './context.js'

/** Object actions per manifest access level; lib-storage's multipart calls need s3:PutObject and, on failure, s3:AbortMultipartUpload. */
const BUCKET_ACTIONS: Record<BucketAccess, string[]> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
  readwrite: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
}
/** S3 bucket names are at most 63 characters; the longest region code has 14. */
const MAX_BUCKET_NAME_LENGTH = 63
const MAX_REGION_LENGTH = 14

/**
 * The bucket's physical name, `crm-<stage>-<service>-<bucket>-<account>-<region>` (bucket names are
 * global). Built from the stack's account and region rather than read from the bucket, so a
 * function can name its bucket while the bucket's notification names the function, without a
 * dependency cycle, and from any stack of the service.
 *
 * @throws Error when the name could pass S3's 63 characters.
 */
export function bucketName(scope: Stack, ctx: ServiceContext, bucket: string): string {
  const base = physicalBucketName(ctx.stage.name, ctx.manifest.name, bucket)
  const name = `${base}-${scope.account}-${scope.region}`
  const longest = Token.isUnresolved(scope.region)
    ? base.length + 1 + 12 + 1 + MAX_REGION_LENGTH
    : Token.isUnresolved(scope.account)
      ? base.length + 1 + 12 + 1 + scope.region.length
      : name.length
  if (longest > MAX_BUCKET_NAME_LENGTH) {
    throw new Error(
      `Service manifest ${ctx.manifest.name}: bucket "${bucket}" would be named ${base}-<account>-<region>, over S3's ${MAX_BUCKET_NAME_LENGTH} characters; use a shorter bucket name`,
    )
  }
  return name
}

export function bucketArn(scope: Stack, ctx: ServiceContext, bucket: string): string {
  return `arn:${Aws.PARTITION}:s3:::${bucketName(scope, ctx, bucket)}`
}

/**
 * One bucket per manifest bucket: no public access, TLS only, S3-managed encryption, objects
 * expiring after `expireAfterDays`, incomplete multipart uploads aborted after a day, CORS for
 * presigned browser uploads and downloads, server access logs, the stage's removal policy.
 */
export function addBucket(scope: Stack, ctx: ServiceContext, name: string, def: BucketDef): s3.Bucket {
  const { stage } = ctx
  return new s3.Bucket(scope, `Bucket-${name}`, {
    bucketName: bucketName(scope, ctx, name),
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
    serverAccessLogsBucket: accessLogsBucket(scope, ctx),
    serverAccessLogsPrefix: `${name}/`,
    removalPolicy: stage.removalPolicy,
    autoDeleteObjects: stage.removalPolicy === RemovalPolicy.DESTROY,
  })
}

/** The stack's one server access log bucket (created with the first bucket). */
function accessLogsBucket(scope: Stack, ctx: ServiceContext): s3.Bucket {
  const existing = scope.node.tryFindChild('AccessLogs') as s3.Bucket | undefined
  if (existing) return existing
  const { stage } = ctx
  const logs = new s3.Bucket(scope, 'AccessLogs', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // Server access log delivery supports SSE-S3 only on its target bucket.
    encryption: s3.BucketEncryption.S3_MANAGED,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(stage.logRetention) }],
    removalPolicy: stage.removalPolicy,
    autoDeleteObjects: stage.removalPolicy === RemovalPolicy.DESTROY,
  })
  Validations.of(logs).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'This bucket is the server access log destination of the service buckets; logging it to itself would loop and to another bucket would only move the exception.',
  })
  return logs
}

/**
 * S3 → Lambda for each manifest object trigger, on the bucket's own notification configuration
 * (no notification custom resource and its extra function): ObjectCreated under the prefix
 * invokes the function asynchronously. The invoke permission names the bucket by its ARN, not by
 * reference, and the bucket waits for it: S3 checks the permission when the configuration is set,
 * which is also why trigger functions live in the data stack with their bucket.
 */
export function addObjectTriggers(
  scope: Stack,
  ctx: ServiceContext,
  buckets: ReadonlyMap<string, s3.Bucket>,
  functions: ReadonlyMap<string, lambda.IFunction>,
): void {
  const byBucket = new Map<string, s3.CfnBucket.LambdaConfigurationProperty[]>()
  for (const trigger of ctx.manifest.objectTriggers ?? []) {
    const fn = functions.get(trigger.function)!
    const bucket = buckets.get(trigger.bucket)!
    const permission = new lambda.CfnPermission(scope, `ObjectTrigger-${trigger.name}-Permission`, {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionArn,
      principal: 's3.amazonaws.com',
      sourceArn: bucketArn(scope, ctx, trigger.bucket),
      sourceAccount: scope.account,
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
    ;(buckets.get(bucket)!.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      lambdaConfigurations,
    }
  }
}

/** Object actions of the access level on `arn:…:s3:::<bucket>/*`; no bucket-level action. */
export function grantBucket(
  fn: lambda.Function,
  ctx: ServiceContext,
  fnName: string,
  bucket: string,
  access: BucketAccess,
): void {
  const scope = fn.stack
  const objects = `${bucketArn(scope, ctx, bucket)}/*`
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: `${pascal(access)}${pascal(bucket)}Objects`,
      actions: BUCKET_ACTIONS[access],
      resources: [objects],
    }),
  )
  Validations.of(fn.role!).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagArn(scope, objects)}]`,
    reason: `Object actions need an object ARN: ${fnName} may ${access} the objects of this service's ${bucket} bucket (manifest FunctionDef.buckets), no other bucket and no bucket-level action.`,
  })
}
