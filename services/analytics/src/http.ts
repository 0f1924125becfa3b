import { createHttp } from '@relay/core/http'

/** The HTTP handler factory of the analytics service. */
export const http = createHttp({ service: 'analytics', table: 'main' })
