import { defineService } from '@relay/core/manifest'
import { analyticsRoutes } from './routes/analytics.js'
import { aggregateEvents, eraseContact } from './subscriptions.js'

/** analytics: per-tenant daily aggregates kept from other services' events (it never reads their tables). */
export const manifest = defineService({
  name: 'analytics',
  source: 'crm.analytics',
  tables: {
    // Aggregates, entity state, settings and the subscriber's dedupe records (which expire through `ttl`).
    main: { partitionKey: 'pk', sortKey: 'sk', ttl: 'ttl' },
  },
  functions: {
    'aggregate-events': { entry: 'handlers/aggregate-events.ts', tables: { main: 'write' } },
    'erase-contact': { entry: 'handlers/erase-contact.ts', tables: { main: 'write' } },
    'get-dashboard': { entry: 'handlers/get-dashboard.ts', tables: { main: 'read' } },
    'list-reports': { entry: 'handlers/list-reports.ts', tables: {} },
    'get-report': { entry: 'handlers/get-report.ts', tables: { main: 'read' } },
    'get-analytics-settings': { entry: 'handlers/get-analytics-settings.ts', tables: { main: 'read' } },
    'put-analytics-settings': { entry: 'handlers/put-analytics-settings.ts', tables: { main: 'write' } },
  },
  routes: [...analyticsRoutes],
  subscriptions: [aggregateEvents, eraseContact],
  schedules: [],
  publishes: [],
})
