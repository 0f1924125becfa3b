import { defineService } from '@relay/core/manifest'
import { platformRoutes } from './routes.js'

/** Platform routes that belong to no business service: health and the OpenAPI document. */
export const manifest = defineService({
  name: 'platform',
  source: 'crm.platform',
  tables: {},
  functions: {
    health: { entry: 'handlers/health.ts', memoryMb: 128 },
    openapi: { entry: 'handlers/openapi.ts' },
  },
  routes: [...platformRoutes],
  subscriptions: [],
  schedules: [],
  publishes: [],
})
