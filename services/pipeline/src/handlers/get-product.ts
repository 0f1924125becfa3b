import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/products.js'
import { getProduct } from '../store/products.js'

/** GET /products/{id} → 200 + ETag, or 404. */
export const handler = httpNonPost(routes.getProduct, async ({ params, caller }) => {
  const product = await getProduct(caller.tenantId, params.id)
  if (!product) throw new NotFound('No product with this id.')
  return { status: 200, body: product, version: product.version }
})
