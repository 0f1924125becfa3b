import type { Product } from '@relay/contracts/pipeline'
import { newId, nowIso } from '@relay/core/ids'
import { http } from '../kit.js'
import * as routes from '../routes/products.js'
import { putProduct } from '../store/products.js'

/** POST /products → 201 + Location. */
export const handler = http(routes.createProduct, async ({ body, caller }) => {
  const now = nowIso()
  const product: Product = {
    id: newId(),
    ...body,
    active: body.active ?? true,
    version: 1,
    createdAt: now,
    updatedAt: now,
  }
  await putProduct(caller.tenantId, product, 0)
  return { status: 201, body: product, version: product.version, location: `/products/${product.id}` }
})
