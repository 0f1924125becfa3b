import { createHttp } from '@relay/core/http'

/** The HTTP handler factory of the contacts service; idempotency records live in table `main`. */
export const http = createHttp({ service: 'contacts', table: 'main' })
