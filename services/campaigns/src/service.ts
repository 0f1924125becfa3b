import { CAMPAIGNS_EVENTS } from '@relay/contracts/campaigns-events'
import { published } from '@relay/contracts/event-contract'
import { defineService } from '@relay/core/manifest'
import { SES_DETAIL_TYPES, SES_SOURCE } from './domain/ses-feedback.js'
import { campaignRoutes } from './routes/campaigns.js'
import { journeyRoutes } from './routes/journeys.js'
import { reportRoutes } from './routes/reports.js'
import { segmentRoutes } from './routes/segments.js'
import { sendingRoutes } from './routes/sending.js'
import { suppressionRoutes } from './routes/suppressions.js'
import { templateRoutes } from './routes/templates.js'
import { trackingRoutes } from './routes/tracking.js'
import { subscriptions } from './subscriptions.js'

/**
 * campaigns: marketing email. Keeps its own audience projection of contacts (from contacts'
 * events, never their tables), segments over it, templates, campaigns sent through SES with A/B
 * variants, tracking, the suppression list, reports and journeys.
 */
export const manifest = defineService({
  name: 'campaigns',
  source: 'crm.campaigns',
  tables: {
    main: {
      partitionKey: 'pk',
      sortKey: 'sk',
      // gsi1: a tenant's segments, templates, campaigns... newest first (gsi1pk T#<t>#<KIND>S).
      gsis: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
      ttl: 'ttl',
      outbox: true,
    },
  },
  functions: {
    // Audience projection: every contacts change of the audience, one function.
    'on-contact-event': { entry: 'handlers/on-contact-event.ts', tables: { main: 'write' } },
    'create-segment': { entry: 'handlers/create-segment.ts', tables: { main: 'write' } },
    'list-segments': { entry: 'handlers/list-segments.ts', tables: { main: 'read' } },
    'get-segment': { entry: 'handlers/get-segment.ts', tables: { main: 'read' } },
    'update-segment': { entry: 'handlers/update-segment.ts', tables: { main: 'write' } },
    'delete-segment': { entry: 'handlers/delete-segment.ts', tables: { main: 'write' } },
    // Reads the tenant's whole audience (16 shards side by side): 100 000 contacts in one answer.
    'preview-segment': {
      entry: 'handlers/preview-segment.ts',
      tables: { main: 'read' },
      timeoutSeconds: 29,
      memoryMb: 1024,
    },
    // The same walk as preview-segment, for a rule not saved yet (write: the Idempotency-Key record).
    'preview-rule': {
      entry: 'handlers/preview-rule.ts',
      tables: { main: 'write' },
      timeoutSeconds: 29,
      memoryMb: 1024,
    },
    'list-suppressions': { entry: 'handlers/list-suppressions.ts', tables: { main: 'read' } },
    'create-suppression': { entry: 'handlers/create-suppression.ts', tables: { main: 'write' } },
    'delete-suppression': { entry: 'handlers/delete-suppression.ts', tables: { main: 'write' } },
    // Templates and campaigns (camp-send).
    'create-template': { entry: 'handlers/create-template.ts', tables: { main: 'write' } },
    'list-templates': { entry: 'handlers/list-templates.ts', tables: { main: 'read' } },
    'get-template': { entry: 'handlers/get-template.ts', tables: { main: 'read' } },
    'update-template': { entry: 'handlers/update-template.ts', tables: { main: 'write' } },
    'delete-template': { entry: 'handlers/delete-template.ts', tables: { main: 'write' } },
    'preview-template': { entry: 'handlers/preview-template.ts', tables: { main: 'read' } },
    'create-campaign': { entry: 'handlers/create-campaign.ts', tables: { main: 'write' } },
    'list-campaigns': { entry: 'handlers/list-campaigns.ts', tables: { main: 'read' } },
    'get-campaign': { entry: 'handlers/get-campaign.ts', tables: { main: 'read' } },
    'update-campaign': { entry: 'handlers/update-campaign.ts', tables: { main: 'write' } },
    'schedule-campaign': {
      entry: 'handlers/schedule-campaign.ts',
      tables: { main: 'write' },
      sendsTo: ['campaign-sends'],
    },
    'cancel-campaign': { entry: 'handlers/cancel-campaign.ts', tables: { main: 'write' } },
    'list-sends': { entry: 'handlers/list-sends.ts', tables: { main: 'read' } },
    'get-sending-settings': { entry: 'handlers/get-sending-settings.ts', tables: { main: 'read' } },
    'put-sending-settings': { entry: 'handlers/put-sending-settings.ts', tables: { main: 'write' } },
    // The send job: one batch (≤ 60 s of sending at the tenant's rate) per message, then the next.
    'send-campaign': {
      entry: 'handlers/send-campaign.ts',
      tables: { main: 'write' },
      sendsEmail: true,
      signsLinks: true,
      timeoutSeconds: 120,
      memoryMb: 512,
      sendsTo: ['campaign-sends', 'email-activity'],
    },
    // Public: the signed link in the path is the credential.
    'track-open': {
      entry: 'handlers/track-open.ts',
      tables: { main: 'write' },
      signsLinks: true,
      sendsTo: ['email-activity'],
    },
    'track-click': {
      entry: 'handlers/track-click.ts',
      tables: { main: 'write' },
      signsLinks: true,
      sendsTo: ['email-activity'],
    },
    'unsubscribe-page': { entry: 'handlers/unsubscribe-page.ts', tables: { main: 'read' }, signsLinks: true },
    unsubscribe: {
      entry: 'handlers/unsubscribe.ts',
      tables: { main: 'write' },
      signsLinks: true,
      sendsTo: ['email-activity'],
    },
    // SES configuration-set events (delivery, bounce, complaint) → send status, suppression list.
    'on-ses-event': {
      entry: 'handlers/on-ses-event.ts',
      tables: { main: 'write' },
      sendsTo: ['email-activity'],
    },
    // Reports (camp-ab): counters from the campaign's own email activity (queue email-activity, which
    // also ends journeys on a click or an unsubscribe), conversions from deals and purchases.
    'get-campaign-report': { entry: 'handlers/get-campaign-report.ts', tables: { main: 'read' } },
    'count-email-event': {
      entry: 'handlers/count-email-event.ts',
      tables: { main: 'write' },
      sendsTo: ['journey-steps'],
    },
    'on-conversion': { entry: 'handlers/on-conversion.ts', tables: { main: 'write' } },
    // Journeys (camp-ab): definitions, runs, the step worker and the two schedules feeding it.
    'create-journey': { entry: 'handlers/create-journey.ts', tables: { main: 'write' } },
    'list-journeys': { entry: 'handlers/list-journeys.ts', tables: { main: 'read' } },
    'get-journey': { entry: 'handlers/get-journey.ts', tables: { main: 'read' } },
    'update-journey': { entry: 'handlers/update-journey.ts', tables: { main: 'write' } },
    'list-journey-runs': { entry: 'handlers/list-journey-runs.ts', tables: { main: 'read' } },
    'on-journey-event': {
      entry: 'handlers/on-journey-event.ts',
      tables: { main: 'write' },
      sendsTo: ['journey-steps'],
    },
    // One step of one contact's run per message; a send step sends one email.
    'run-journey-step': {
      entry: 'handlers/run-journey-step.ts',
      tables: { main: 'write' },
      sendsEmail: true,
      signsLinks: true,
      timeoutSeconds: 60,
      sendsTo: ['journey-steps', 'email-activity'],
    },
    // Waits longer than SQS's 15-minute delay, from the due-time index back to the queue.
    'wake-journeys': {
      entry: 'handlers/wake-journeys.ts',
      tables: { main: 'write' },
      timeoutSeconds: 60,
      sendsTo: ['journey-steps'],
    },
    'reengage-journeys': {
      entry: 'handlers/reengage-journeys.ts',
      tables: { main: 'write' },
      sendsTo: ['journey-steps'],
    },
  },
  routes: [
    ...segmentRoutes,
    ...suppressionRoutes,
    ...templateRoutes,
    ...campaignRoutes,
    ...sendingRoutes,
    ...trackingRoutes,
    ...reportRoutes,
    ...journeyRoutes,
  ],
  subscriptions: [
    ...subscriptions,
    // SES's own events (no contract of ours): forwarded to the crm bus by the shared stack.
    {
      name: 'ses-feedback',
      function: 'on-ses-event',
      pattern: { source: [SES_SOURCE], 'detail-type': [...SES_DETAIL_TYPES] },
    },
  ],
  schedules: [
    { name: 'journey-wakes', expression: 'rate(1 minute)', function: 'wake-journeys' },
    { name: 'journey-reengagement', expression: 'rate(1 day)', function: 'reengage-journeys' },
  ],
  queues: {
    'campaign-sends': {
      consumer: 'send-campaign',
      // A batch stops claiming after 60 s and commits; the function has 120 s. A crashed batch is
      // taken up again after this, and its send records keep anyone from a second email.
      visibilityTimeoutSeconds: 180,
      batchSize: 1,
      maxReceiveCount: 8,
      description: 'Campaign send job: { step: start | batch, tenantId, campaignId, batch, attempt }',
    },
    'journey-steps': {
      consumer: 'run-journey-step',
      // A step is one email at most (60 s function); a crashed step is taken up again after this.
      visibilityTimeoutSeconds: 90,
      batchSize: 5,
      description:
        'Journey runs: { kind: step, journeyId, contactId, run, step } or a re-engagement scan page',
    },
    'email-activity': {
      consumer: 'count-email-event',
      description:
        "Campaigns' own Email.* activity for its report counters and journey exits: { id, detailType, tenantId, occurredAt, correlationId, data }",
    },
  },
  publishes: CAMPAIGNS_EVENTS.map(published),
})
