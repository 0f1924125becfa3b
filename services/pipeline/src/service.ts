/**
 * The pipeline's manifest: tables, functions, and the lists of its routes (declared by area in
 * `routes/`), subscriptions (`subscriptions.ts`), schedule and published events.
 */
import { published } from '@relay/contracts/event-contract'
import { PIPELINE_EVENTS } from '@relay/contracts/pipeline-events'
import { defineService, type FunctionDef } from '@relay/core/manifest'
import { activityRoutes } from './routes/activities.js'
import { dealRoutes } from './routes/deals.js'
import { forecastRoutes } from './routes/forecast.js'
import { formRoutes } from './routes/forms.js'
import { leadRoutes } from './routes/leads.js'
import { pipelineRoutes } from './routes/pipelines.js'
import { productRoutes } from './routes/products.js'
import { settingsRoutes } from './routes/settings.js'
import {
  onCampaignEngagement,
  onContactCreated,
  onContactDeleted,
  onContactErased,
  onContactMerged,
  onContactUpdated,
  onInteractionLogged,
} from './subscriptions.js'

const reads = (entry: string): FunctionDef => ({ entry: `handlers/${entry}.ts`, tables: { main: 'read' } })
const writes = (entry: string): FunctionDef => ({ entry: `handlers/${entry}.ts`, tables: { main: 'write' } })

/** pipeline: leads, deals through pipelines of stages, products, quotas and the forecast. */
export const manifest = defineService({
  name: 'pipeline',
  source: 'crm.pipeline',
  tables: {
    main: {
      partitionKey: 'pk',
      sortKey: 'sk',
      // What each index holds per item type is written at the top of each src/store/<aggregate>.ts.
      gsis: [
        { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
        { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
        { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
        { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
      ],
      ttl: 'ttl',
      outbox: true,
    },
  },
  functions: {
    'create-pipeline': writes('create-pipeline'),
    'list-pipelines': reads('list-pipelines'),
    'get-pipeline': reads('get-pipeline'),
    'replace-pipeline': writes('replace-pipeline'),
    'create-product': writes('create-product'),
    'list-products': reads('list-products'),
    'get-product': reads('get-product'),
    'update-product': writes('update-product'),
    'create-deal': writes('create-deal'),
    'list-deals': reads('list-deals'),
    'get-deal': reads('get-deal'),
    'update-deal': writes('update-deal'),
    'delete-deal': writes('delete-deal'),
    'move-deal-stage': writes('move-deal-stage'),
    'get-deal-insights': { ...reads('get-deal-insights'), timeoutSeconds: 20 },
    'create-lead': writes('create-lead'),
    'list-leads': reads('list-leads'),
    'get-lead': reads('get-lead'),
    'update-lead': writes('update-lead'),
    'delete-lead': writes('delete-lead'),
    'convert-lead': writes('convert-lead'),
    'create-form': writes('create-form'),
    'list-forms': reads('list-forms'),
    'get-form': reads('get-form'),
    'delete-form': writes('delete-form'),
    'submit-form': writes('submit-form'),
    'get-lead-assignment': reads('get-lead-assignment'),
    'put-lead-assignment': writes('put-lead-assignment'),
    'get-currencies': reads('get-currencies'),
    'put-currencies': writes('put-currencies'),
    'get-lead-scoring': reads('get-lead-scoring'),
    'put-lead-scoring': writes('put-lead-scoring'),
    'get-quotas': reads('get-quotas'),
    'put-quotas': writes('put-quotas'),
    'get-forecast': { ...reads('get-forecast'), timeoutSeconds: 20 },
    'create-activity': writes('create-activity'),
    'list-activities': reads('list-activities'),
    'get-activity': reads('get-activity'),
    'update-activity': writes('update-activity'),
    'delete-activity': writes('delete-activity'),
    'send-reminders': { ...writes('send-reminders'), timeoutSeconds: 50, sendsEmail: true },
    'get-automations': reads('get-automations'),
    'put-automations': writes('put-automations'),
    'get-users': reads('get-users'),
    'put-users': writes('put-users'),
    'on-contact-merged': { ...writes('on-contact-merged'), timeoutSeconds: 60 },
    'on-contact-erased': { ...writes('on-contact-erased'), timeoutSeconds: 60 },
    'on-contact-created': writes('on-contact-created'),
    'on-contact-updated': writes('on-contact-updated'),
    'on-contact-deleted': writes('on-contact-deleted'),
    'on-engagement': { ...writes('on-engagement'), timeoutSeconds: 30 },
    'on-campaign-engagement': { ...writes('on-campaign-engagement'), timeoutSeconds: 30 },
  },
  routes: [
    ...pipelineRoutes,
    ...productRoutes,
    ...dealRoutes,
    ...leadRoutes,
    ...formRoutes,
    ...settingsRoutes,
    ...forecastRoutes,
    ...activityRoutes,
  ],
  subscriptions: [
    onContactMerged,
    onContactErased,
    onContactCreated,
    onContactUpdated,
    onInteractionLogged,
    onCampaignEngagement,
    onContactDeleted,
  ],
  schedules: [{ name: 'reminders', expression: 'rate(1 minute)', function: 'send-reminders' }],
  publishes: PIPELINE_EVENTS.map(published),
})
