import { Summary } from '@relay/contracts/analytics'
import { defineService } from '@relay/core/manifest'
import { SUMMARY_ROLES } from './access.js'

/** analytics: per-tenant aggregates kept from other services' events (it never reads their tables). */
export const manifest = defineService({
  name: 'analytics',
  source: 'crm.analytics',
  tables: {
    // Counters and the subscriber's dedupe records (which expire through `ttl`). Publishes nothing: no outbox.
    main: { partitionKey: 'pk', sortKey: 'sk', ttl: 'ttl' },
  },
  functions: {
    'count-contacts': { entry: 'handlers/count-contacts.ts', tables: { main: 'write' } },
    'get-summary': { entry: 'handlers/get-summary.ts', tables: { main: 'read' } },
  },
  routes: [
    {
      method: 'GET',
      path: '/analytics/summary',
      function: 'get-summary',
      roles: SUMMARY_ROLES,
      summary: "The tenant's aggregates (contact count)",
      response: { status: 200, schema: Summary },
    },
  ],
  subscriptions: [
    {
      name: 'count-contacts',
      pattern: { source: ['crm.contacts'], 'detail-type': ['Contact.Created', 'Contact.Deleted'] },
      function: 'count-contacts',
    },
  ],
  schedules: [],
  publishes: [],
})
