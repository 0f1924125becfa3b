import { httpNonPost } from '../kit.js'
import * as routes from '../routes/products.js'
import { listProducts } from '../store/products.js'

/** GET /products → the catalogue, newest first. */
export const handler = httpNonPost(routes.listProducts, async ({ query, caller }) => {
  return { status: 200, body: await listProducts(caller.tenantId, query) }
})
