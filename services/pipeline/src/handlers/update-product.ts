import type { Product } from '@relay/contracts/pipeline'
import { nowIso } from '@relay/core/ids'
import { NotFound, writeOrExplain } from '@relay/core/outcomes'
import { checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/products.js'
import { getProduct, putProduct } from '../store/products.js'

/** PATCH /products/{id} → 200 + ETag. Deals keep the prices they were priced at. */
export const handler = httpNonPost(routes.updateProduct, async ({ params, body, caller, ifMatch }) => {
  const current = await getProduct(caller.tenantId, params.id)
  if (!current) throw new NotFound('No product with this id.')
  checkVersion(ifMatch, current.version)
  const next: Product = { ...current, ...body, version: current.version + 1, updatedAt: nowIso() }
  await writeOrExplain(
    () => putProduct(caller.tenantId, next, current.version),
    async () => Boolean(await getProduct(caller.tenantId, current.id)),
  )
  return { status: 200, body: next, version: next.version }
})
