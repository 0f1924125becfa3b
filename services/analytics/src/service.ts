import { defineService } from '@relay/core/manifest'

export const manifest = defineService({
  name: 'analytics',
  source: 'crm.analytics',
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
