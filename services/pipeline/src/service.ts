import { defineService } from '@relay/core/manifest'

/** pipeline: the routes, subscriptions and schedules arrive with this service's own issue. */
export const manifest = defineService({
  name: 'pipeline',
  source: 'crm.pipeline',
  tables: {
    main: {
      partitionKey: 'pk',
      sortKey: 'sk',
      gsis: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
      ttl: 'ttl',
      outbox: true,
    },
  },
  functions: {},
  routes: [],
  subscriptions: [],
  schedules: [],
  publishes: [],
})
