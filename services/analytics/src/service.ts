import { defineService } from '@relay/core/manifest'
import { summaryRoutes } from './routes/summary.js'
import { countContacts } from './subscriptions.js'

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
  routes: [...summaryRoutes],
  subscriptions: [countContacts],
  schedules: [],
  publishes: [],
})
