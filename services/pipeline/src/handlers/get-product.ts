import { IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { getProduct } from '../store/products.js'

/** GET /products/{id} → 200 + ETag, or 404. */
export const handler = http({
  roles: READ_ROLES,
  params: IdParams,
  async handle({ params, caller }) {
    const product = await getProduct(caller.tenantId, params.id)
    if (!product) throw notFound('No product with this id.')
    return { status: 200, body: product, version: product.version }
  },
})
