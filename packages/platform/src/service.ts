import { defineService } from '@relay/core/manifest'

/** Platform routes that belong to no business service: health and the OpenAPI document. */
export const manifest = defineService({
  name: 'platform',
  source: 'crm.platform',
  tables: {},
  functions: {},
  routes: [],
  subscriptions: [],
  schedules: [],
  publishes: [],
})
