/**
 * Per-stage settings, all in one place. A stage comes from `-c stage=<name>` and must be one of
 * {@link STAGES}: an unknown name fails synthesis instead of silently deploying a half-configured
 * environment.
 */
import { RemovalPolicy } from 'aws-cdk-lib'
import { RetentionDays } from 'aws-cdk-lib/aws-logs'

export const STAGES = ['dev', 'staging', 'prod'] as const
export type StageName = (typeof STAGES)[number]

export interface StageConfig {
  name: StageName
  /** What happens to stateful resources (tables, user pool, logs) when a stack is deleted. */
  removalPolicy: RemovalPolicy
  /** DynamoDB and Cognito deletion protection. */
  deletionProtection: boolean
  /** Point-in-time recovery on every table (DESIGN §6: tables with PITR, in every stage). */
  pointInTimeRecovery: boolean
  /** CloudWatch alarms (API 5xx, throttles, DLQ depth, function errors) wired to an SNS topic. */
  alarms: boolean
  /** HTTP API default-stage throttling (steady requests per second and burst). */
  throttle: { rateLimit: number; burstLimit: number }
  /** Retention of every Lambda and access log group. */
  logRetention: RetentionDays
  /** How long the event bus archive keeps events for replay; 0 keeps them forever. */
  archiveRetentionDays: number
  /** Default sender address (`MAIL_FROM`); overridable with `-c mailFrom=...`. */
  mailFrom: string
  /**
   * Base URL of links in mail (`PUBLIC_BASE_URL`: ratings, tracking, unsubscribe), e.g. the API's
   * custom domain; `-c publicBaseUrl=...`. Absent: the HTTP API's own endpoint.
   */
  publicBaseUrl?: string
}

const SETTINGS: Record<StageName, Omit<StageConfig, 'name' | 'mailFrom' | 'publicBaseUrl'>> = {
  dev: {
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    pointInTimeRecovery: true,
    alarms: false,
    throttle: { rateLimit: 50, burstLimit: 100 },
    logRetention: RetentionDays.ONE_WEEK,
    archiveRetentionDays: 7,
  },
  staging: {
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    pointInTimeRecovery: true,
    alarms: true,
    throttle: { rateLimit: 100, burstLimit: 200 },
    logRetention: RetentionDays.ONE_MONTH,
    archiveRetentionDays: 30,
  },
  prod: {
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    pointInTimeRecovery: true,
    alarms: true,
    throttle: { rateLimit: 500, burstLimit: 1000 },
    logRetention: RetentionDays.THREE_MONTHS,
    archiveRetentionDays: 365,
  },
}

/** Whether `value` names a known stage. */
export function isStageName(value: unknown): value is StageName {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value)
}

/**
 * Settings of a stage, from the raw `stage` context value (`undefined` → `dev`).
 *
 * @throws Error naming the allowed stages when `stage` is not one of them.
 * @example resolveStage(app.node.tryGetContext('stage'))
 */
export function resolveStage(
  stage: unknown,
  overrides: { mailFrom?: unknown; publicBaseUrl?: unknown } = {},
): StageConfig {
  const name = stage === undefined || stage === '' ? 'dev' : stage
  if (!isStageName(name)) {
    throw new Error(`Unknown stage ${JSON.stringify(stage)}: use -c stage=<${STAGES.join('|')}>`)
  }
  const mailFrom =
    typeof overrides.mailFrom === 'string' && overrides.mailFrom ? overrides.mailFrom : undefined
  const publicBaseUrl = overrides.publicBaseUrl
  if (
    publicBaseUrl !== undefined &&
    (typeof publicBaseUrl !== 'string' || !/^https:\/\/[^/\s]+/.test(publicBaseUrl))
  ) {
    throw new Error(`publicBaseUrl must be an https:// URL, got ${JSON.stringify(publicBaseUrl)}`)
  }
  return {
    name,
    ...SETTINGS[name],
    mailFrom: mailFrom ?? `no-reply@${name}.relay-crm.example.com`,
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
  }
}
