import { published } from '@relay/contracts/event-contract'
import { SERVICE_DESK_EVENTS } from '@relay/contracts/service-desk-events'
import { defineService } from '@relay/core/manifest'

/** service-desk: the routes, subscriptions and schedules arrive with this service's own issue. */
export const manifest = defineService({
  name: 'service-desk',
  source: 'crm.service-desk',
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
  publishes: SERVICE_DESK_EVENTS.map(published),
})
