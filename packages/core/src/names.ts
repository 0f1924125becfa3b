/**
 * Every physical name of a stage, built in one place so that the CDK app, the local runtime and the
 * handlers agree on them. Everything of a stage starts with `crm-<stage>` (which is also the bus);
 * everything of a service with `crm-<stage>-<service>`.
 */

/** `crm-<stage>`: the prefix of every name of the stage, and the name of its event bus. */
export function stagePrefix(stage: string): string {
  return `crm-${stage}`
}

/** `crm-<stage>-<service>`: the prefix of every name of one service in a stage. */
export function servicePrefix(stage: string, service: string): string {
  return `${stagePrefix(stage)}-${service}`
}

/** The stage's custom EventBridge bus. */
export function busName(stage: string): string {
  return stagePrefix(stage)
}

/** The archive that keeps every event of the bus for replay. */
export function archiveName(stage: string): string {
  return `${stagePrefix(stage)}-archive`
}

/** Names of the shared platform of a stage (stack, user pool, API, alarm topic). */
export function sharedNames(stage: string) {
  const p = stagePrefix(stage)
  return {
    stack: `${p}-shared`,
    userPool: `${p}-users`,
    userPoolClient: `${p}-web`,
    authorizer: `${p}-cognito`,
    api: `${p}-api`,
    apiAccessLogGroup: `/aws/http-api/${p}`,
    alarmTopic: `${p}-alarms`,
    api5xxAlarm: `${p}-api-5xx`,
    apiThrottleAlarm: `${p}-api-4xx-throttles`,
    sesConfigurationSet: sesConfigurationSetName(stage),
    linkSecret: `${p}/link-signing-key`,
    sesEventsForwardRule: `${p}-ses-events-to-bus`,
  }
}

/** The SES configuration set every sender uses: its EventBridge destination reports deliveries, bounces and complaints. */
export function sesConfigurationSetName(stage: string): string {
  return `${stagePrefix(stage)}-mail`
}

/** The service's data stack (tables, buckets, queues, outbox publishers): `crm-<stage>-<service>`. */
export function serviceStackName(stage: string, service: string): string {
  return servicePrefix(stage, service)
}

/** The service's `n`-th function stack (n from 1): `crm-<stage>-<service>-<n>`. */
export function functionStackName(stage: string, service: string, n: number): string {
  return `${servicePrefix(stage, service)}-${n}`
}

/** A manifest function's Lambda name: `crm-<stage>-<service>-<function>`. */
export function functionName(stage: string, service: string, fn: string): string {
  return `${servicePrefix(stage, service)}-${fn}`
}

/** The (event) outbox publisher of a table: `crm-<stage>-<service>-<table>-outbox` (manifests may not use that name). */
export function outboxFunctionName(stage: string, service: string, table: string): string {
  return functionName(stage, service, outboxFunctionKey(table))
}

/** The function key the outbox publisher of `table` takes: `<table>-outbox`. */
export function outboxFunctionKey(table: string): string {
  return `${table}-outbox`
}

/** The queue publisher of a table: `crm-<stage>-<service>-<table>-outbox-queue` (manifests may not use that name). */
export function queuePublisherFunctionName(stage: string, service: string, table: string): string {
  return functionName(stage, service, queuePublisherFunctionKey(table))
}

/** The function key the queue publisher of `table` takes: `<table>-outbox-queue`. */
export function queuePublisherFunctionKey(table: string): string {
  return `${outboxFunctionKey(table)}-queue`
}

/** Where Lambda writes a function's logs. */
export function functionLogGroupName(physicalFunctionName: string): string {
  return `/aws/lambda/${physicalFunctionName}`
}

/** An EventBridge rule of a subscription or schedule: `crm-<stage>-<service>-<name>`. */
export function ruleName(stage: string, service: string, rule: string): string {
  return `${servicePrefix(stage, service)}-${rule}`
}

/** A CloudWatch alarm of a service: `crm-<stage>-<service>-<what>`. */
export function alarmName(stage: string, service: string, what: string): string {
  return `${servicePrefix(stage, service)}-${what}`
}

/** Physical table name for a stage: `crm-<stage>-<service>-<table>`. */
export function physicalTableName(stage: string, service: string, table: string): string {
  return `${servicePrefix(stage, service)}-${table}`
}

/**
 * Name of a bucket for a stage: `crm-<stage>-<service>-<bucket>`. Bucket names are global across
 * AWS, so the CDK app appends the account and region; the local runtime uses it as it is.
 */
export function physicalBucketName(stage: string, service: string, bucket: string): string {
  return `${servicePrefix(stage, service)}-${bucket}`.toLowerCase()
}

/** A work queue for a stage: `crm-<stage>-<service>-<queue>`. */
export function physicalQueueName(stage: string, service: string, queue: string): string {
  return `${servicePrefix(stage, service)}-${queue}`
}

/** The dead-letter queue of a work queue: `crm-<stage>-<service>-<queue>-dlq`. */
export function deadLetterQueueName(stage: string, service: string, queue: string): string {
  return `${physicalQueueName(stage, service, queue)}-dlq`
}

const envVar = (...parts: string[]) =>
  parts
    .join('_')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase()

/**
 * Name of the environment variable that carries a table's physical name, e.g.
 * `CONTACTS_MAIN_TABLE`. Service-qualified so the local runtime can run every service in one
 * process with one environment.
 */
export function tableEnvVar(service: string, table: string): string {
  return envVar(service, table, 'TABLE')
}

/**
 * Name of the environment variable that carries a bucket's physical name, e.g.
 * `CONTACTS_FILES_BUCKET` (service-qualified for the same reason as {@link tableEnvVar}).
 */
export function bucketEnvVar(service: string, bucket: string): string {
  return envVar(service, bucket, 'BUCKET')
}

/**
 * Name of the environment variable that carries a work queue's URL, e.g.
 * `CONTACTS_IMPORT_CHUNKS_QUEUE_URL` (service-qualified for the same reason as {@link tableEnvVar}).
 */
export function queueEnvVar(service: string, queue: string): string {
  return envVar(service, queue, 'QUEUE_URL')
}
