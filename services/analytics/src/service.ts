import { ANALYTICS_EVENTS } from '@relay/contracts/analytics-events'
import { published } from '@relay/contracts/event-contract'
import { defineService } from '@relay/core/manifest'
import { customerSubscriptions } from './customer-subscriptions.js'
import { analyticsRoutes } from './routes/analytics.js'
import { insightsRoutes } from './routes/insights.js'
import { aggregateEvents, eraseContact } from './subscriptions.js'

/** analytics: per-tenant daily aggregates kept from other services' events (it never reads their tables). */
export const manifest = defineService({
  name: 'analytics',
  source: 'crm.analytics',
  tables: {
    // Aggregates, entity state, settings and the subscriber's dedupe records (which expire through `ttl`).
    main: { partitionKey: 'pk', sortKey: 'sk', ttl: 'ttl' },
    // Customer analytics and early warnings (store/customers.ts, store/warnings.ts): their own dedupe
    // records (the same events reach `main`'s subscriber) and the outbox of the events they publish.
    // gsi1: tenants due for scoring (sparse: gsi1pk RESCORE, gsi1sk <dueAt>#<tenant>).
    customers: {
      partitionKey: 'pk',
      sortKey: 'sk',
      gsis: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
      ttl: 'ttl',
      outbox: true,
    },
  },
  functions: {
    'aggregate-events': { entry: 'handlers/aggregate-events.ts', tables: { main: 'write' } },
    'erase-contact': { entry: 'handlers/erase-contact.ts', tables: { main: 'write' } },
    'get-dashboard': { entry: 'handlers/get-dashboard.ts', tables: { main: 'read' } },
    'list-reports': { entry: 'handlers/list-reports.ts', tables: {} },
    'get-report': { entry: 'handlers/get-report.ts', tables: { main: 'read' } },
    'get-analytics-settings': { entry: 'handlers/get-analytics-settings.ts', tables: { main: 'read' } },
    'put-analytics-settings': { entry: 'handlers/put-analytics-settings.ts', tables: { main: 'write' } },
    'get-forecast': { entry: 'handlers/get-forecast.ts', tables: { main: 'read' } },
    'get-customer-scores': { entry: 'handlers/get-customer-scores.ts', tables: { customers: 'read' } },
    'on-customer-activity': { entry: 'handlers/on-customer-activity.ts', tables: { customers: 'write' } },
    'on-customer-erased': { entry: 'handlers/on-customer-erased.ts', tables: { customers: 'write' } },
    'on-customer-merged': { entry: 'handlers/on-customer-merged.ts', tables: { customers: 'write' } },
    // Reads the settings (zone) and the daily emails sent from `main`.
    'on-early-warning': {
      entry: 'handlers/on-early-warning.ts',
      tables: { customers: 'write', main: 'read' },
    },
    // Whole tenants at a time (quintiles and co-occurrence are tenant-wide).
    'score-customers': {
      entry: 'handlers/score-customers.ts',
      tables: { customers: 'write', main: 'read' },
      timeoutSeconds: 300,
      memoryMb: 1024,
    },
  },
  routes: [...analyticsRoutes, ...insightsRoutes],
  subscriptions: [aggregateEvents, eraseContact, ...customerSubscriptions],
  schedules: [{ name: 'score-customers', expression: 'rate(1 hour)', function: 'score-customers' }],
  publishes: ANALYTICS_EVENTS.map(published),
})
