import { http } from '../http.js'
import { VERSION } from '../version.js'

/** GET /health (public) → `{ status: 'ok', service: 'relay-crm', version }`. */
export const handler = http({
  roles: 'public',
  async handle() {
    return {
      status: 200,
      body: { status: 'ok', service: 'relay-crm', version: VERSION },
      headers: { 'cache-control': 'no-store' },
    }
  },
})
