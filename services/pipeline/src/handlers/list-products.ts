import { PaginationQuery } from '@relay/contracts/common'
import type { Product } from '@relay/contracts/pipeline'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { listCollection } from '../store.js'

/** GET /products → the catalogue, newest first. */
export const handler = http({
  roles: READ_ROLES,
  query: PaginationQuery,
  async handle({ query, caller }) {
    return { status: 200, body: await listCollection<Product>(caller.tenantId, 'PRODUCT', query) }
  },
})
