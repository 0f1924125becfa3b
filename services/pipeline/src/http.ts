import { createHttp } from '@relay/core/http'

/** The HTTP handler factory of the pipeline service; idempotency records live in table `main`. */
export const http = createHttp({ service: 'pipeline', table: 'main' })
