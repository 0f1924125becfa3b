import { CAMPAIGNS_EVENTS } from '@relay/contracts/campaigns-events'
import { published } from '@relay/contracts/event-contract'
import { defineService } from '@relay/core/manifest'
import { segmentRoutes } from './routes/segments.js'
import { suppressionRoutes } from './routes/suppressions.js'
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
    'list-suppressions': { entry: 'handlers/list-suppressions.ts', tables: { main: 'read' } },
    'create-suppression': { entry: 'handlers/create-suppression.ts', tables: { main: 'write' } },
    'delete-suppression': { entry: 'handlers/delete-suppression.ts', tables: { main: 'write' } },
  },
  routes: [...segmentRoutes, ...suppressionRoutes],
  subscriptions: [...subscriptions],
  schedules: [],
  queues: {},
  publishes: CAMPAIGNS_EVENTS.map(published),
})
