/**
 * The stage's shared platform: the event bus (+ archive for replay), the Cognito user pool whose
 * groups are the roles, the HTTP API with its JWT authorizer, stage throttling and access logs, and
 * the SNS topic every alarm notifies, the SES configuration set whose delivery, bounce and complaint
 * events reach the bus, and the key of signed links in mail. Service stacks reference the API and
 * authorizer across stacks; the bus, the topic, the configuration set and the key they address by name.
 */
import { ROLES } from '@relay/core/manifest'
import { archiveName, busName, sharedNames } from '@relay/core/names'
import { Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib'
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway'
import { HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions'
import * as cognito from 'aws-cdk-lib/aws-cognito'
import * as events from 'aws-cdk-lib/aws-events'
import * as targets from 'aws-cdk-lib/aws-events-targets'
import * as logs from 'aws-cdk-lib/aws-logs'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import * as ses from 'aws-cdk-lib/aws-ses'
import * as sns from 'aws-cdk-lib/aws-sns'
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import type { Construct } from 'constructs'
import type { StageConfig } from './stages.js'

export interface SharedStackProps extends StackProps {
  stage: StageConfig
  /** Optional address subscribed to the alarm topic. */
  alarmEmail?: string
}

export class SharedStack extends Stack {
  readonly stage: StageConfig
  readonly bus: events.EventBus
  readonly userPool: cognito.UserPool
  readonly userPoolClient: cognito.UserPoolClient
  readonly api: HttpApi
  readonly authorizer: HttpJwtAuthorizer
  /** Present when the stage has alarms. */
  readonly alarmTopic?: sns.Topic
  readonly mailConfigurationSet: ses.ConfigurationSet
  readonly linkSigningKey: secretsmanager.Secret

  constructor(scope: Construct, id: string, props: SharedStackProps) {
    super(scope, id, props)
    const { stage } = props
    this.stage = stage
    const names = sharedNames(stage.name)
    const bus = busName(stage.name)

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: bus })
    this.bus.archive('Archive', {
      archiveName: archiveName(stage.name),
      description: `Every event on ${bus}, kept for replay`,
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(stage.archiveRetentionDays),
    })

    this.mailConfigurationSet = this.addMailEvents(stage)
    this.linkSigningKey = new secretsmanager.Secret(this, 'LinkSigningKey', {
      secretName: names.linkSecret,
      description: 'HMAC key of signed links in mail (survey ratings, tracking, unsubscribe)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: stage.removalPolicy,
    })
    Validations.of(this.linkSigningKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the link key invalidates every survey, tracking and unsubscribe link already mailed (unsubscribe links must keep working, RFC 8058); it is rotated by hand when compromised.',
    })

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: names.userPool,
      // Tenants are assigned by an administrator; self sign-up would let anyone pick a tenant.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // Immutable so that nobody, not even the user through the client, can move themselves to another tenant.
      customAttributes: { tenantId: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: false }) },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: stage.deletionProtection,
      removalPolicy: stage.removalPolicy,
    })
    for (const role of ROLES) {
      this.userPool.addGroup(`Group-${role}`, { groupName: role, description: `Relay CRM role ${role}` })
    }
    this.userPoolClient = this.userPool.addClient('WebClient', {
      userPoolClientName: names.userPoolClient,
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('tenantId'),
      // custom:tenantId deliberately absent: the tenant claim must only ever be set by an administrator.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
    })
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional by product decision (DESIGN §6); TOTP is offered and tenants can require it per user.',
    })
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Threat protection needs the Cognito Plus feature plan (billed per active user); sign-in uses SRP, a strong password policy and optional TOTP.',
    })

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      logGroupName: names.apiAccessLogGroup,
      retention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    })
    this.authorizer = new HttpJwtAuthorizer(
      'CognitoJwt',
      `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`,
      { jwtAudience: [this.userPoolClient.userPoolClientId], authorizerName: names.authorizer },
    )
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: names.api,
      description: `Relay CRM HTTP API (${stage.name})`,
      // The stage is created below so that it carries throttling and access logs.
      createDefaultStage: false,
    })
    const apiStage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: stage.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            sub: '$context.authorizer.claims.sub',
          }),
        ),
      },
    })

    if (stage.alarms) {
      this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { topicName: names.alarmTopic, enforceSSL: true })
      if (props.alarmEmail)
        this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail))
      const action = new cwActions.SnsAction(this.alarmTopic)
      const api5xx = new cloudwatch.Alarm(this, 'Api5xxAlarm', {
        alarmName: names.api5xxAlarm,
        alarmDescription: 'The HTTP API returned server errors',
        metric: apiStage.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 5,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })
      // HTTP APIs report throttled requests as 429s within 4xx; a burst of them means the stage limit is too low.
      const api4xx = new cloudwatch.Alarm(this, 'ApiThrottleAlarm', {
        alarmName: names.apiThrottleAlarm,
        alarmDescription: 'Many 4xx responses (includes 429 throttling at the stage limit)',
        metric: apiStage.metricClientError({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: stage.throttle.rateLimit * 60,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })
      for (const alarm of [api5xx, api4xx]) alarm.addAlarmAction(action)
    }
  }

  /**
   * SES sends delivery, bounce and complaint events of every message sent with the configuration set
   * to the account's default bus (the only bus an SES destination can name); a rule forwards them to
   * the stage's bus, where campaigns subscribes (`source: aws.ses`) and integrators can too.
   */
  private addMailEvents(stage: StageConfig): ses.ConfigurationSet {
    const names = sharedNames(stage.name)
    const set = new ses.ConfigurationSet(this, 'MailConfigurationSet', {
      configurationSetName: names.sesConfigurationSet,
    })
    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default')
    set.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(defaultBus),
      events: [
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
      ],
    })
    const deadLetters = new sqs.Queue(this, 'SesEventsForwardDlq', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    })
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the SES-events forwarding rule.',
    })
    new events.Rule(this, 'SesEventsToBus', {
      ruleName: names.sesEventsForwardRule,
      description: `SES events of ${names.sesConfigurationSet} → ${this.bus.eventBusName}`,
      eventBus: defaultBus,
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [names.sesConfigurationSet] } } },
      },
      targets: [new targets.EventBus(this.bus, { deadLetterQueue: deadLetters })],
    })
    return set
  }
}
