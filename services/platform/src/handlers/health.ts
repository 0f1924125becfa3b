import { httpNonPost } from '../kit.js'
import { health } from '../routes.js'
import { VERSION } from '../version.js'

/** GET /health (public) → `{ status: 'ok', service: 'relay-crm', version }`. */
export const handler = httpNonPost(health, async () => ({
  status: 200,
  body: { status: 'ok', service: 'relay-crm', version: VERSION },
  headers: { 'cache-control': 'no-store' },
}))
