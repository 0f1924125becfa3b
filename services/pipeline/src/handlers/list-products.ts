import { PaginationQuery } from '@relay/contracts/common'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { listProducts } from '../store/products.js'

/** GET /products → the catalogue, newest first. */
export const handler = http({
  roles: READ_ROLES,
  query: PaginationQuery,
  async handle({ query, caller }) {
    return { status: 200, body: await listProducts(caller.tenantId, query) }
  },
})
