/**
 * CDK entry (`cdk.json`): `npx cdk synth|deploy --all -c stage=<dev|staging|prod>`.
 * Optional context: `-c mailFrom=no-reply@example.com`, `-c alarmEmail=ops@example.com`.
 */
import { App } from 'aws-cdk-lib'
import { services } from '../../services/index.js'
import { buildCrmApp } from '../lib/crm-app.js'
import { resolveStage } from '../lib/stages.js'

const app = new App()
const stage = resolveStage(app.node.tryGetContext('stage'), {
  mailFrom: app.node.tryGetContext('mailFrom'),
  publicBaseUrl: app.node.tryGetContext('publicBaseUrl'),
})
const alarmEmail = app.node.tryGetContext('alarmEmail')
buildCrmApp(app, {
  stage,
  services,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  alarmEmail: typeof alarmEmail === 'string' ? alarmEmail : undefined,
  nag: true,
})
app.synth()
