import { defineService } from '@relay/core/manifest'

/** Platform routes that belong to no business service: health and the OpenAPI document. */
export const manifest = defineService({
  name: 'platform',
  source: 'crm.platform',
  tables: {},
  functions: {
    health: { entry: 'handlers/health.ts', memoryMb: 128 },
    openapi: { entry: 'handlers/openapi.ts' },
  },
  routes: [
    { method: 'GET', path: '/health', function: 'health', roles: 'public', summary: 'Liveness and version' },
    {
      method: 'GET',
      path: '/openapi.json',
      function: 'openapi',
      roles: 'public',
      summary: 'This OpenAPI 3.1 document, with the event catalogue under x-events',
    },
  ],
  subscriptions: [],
  schedules: [],
  publishes: [],
})
