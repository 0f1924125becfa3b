import { IdParams, type Product, UpdateProduct } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { nowIso } from '@relay/core/ids'
import { CONFIG_ROLES } from '../access.js'
import { http } from '../http.js'
import { getProduct, putProduct } from '../store/products.js'
import { checkIfMatch, writeOrExplain } from '../support.js'

/** PATCH /products/{id} → 200 + ETag. Deals keep the prices they were priced at. */
export const handler = http({
  roles: CONFIG_ROLES,
  params: IdParams,
  body: UpdateProduct,
  async handle({ params, body, caller, ifMatch }) {
    const current = await getProduct(caller.tenantId, params.id)
    if (!current) throw notFound('No product with this id.')
    checkIfMatch(ifMatch, current.version)
    const next: Product = { ...current, ...body, version: current.version + 1, updatedAt: nowIso() }
    await writeOrExplain(
      async () => Boolean(await getProduct(caller.tenantId, current.id)),
      ifMatch,
      () => putProduct(caller.tenantId, next, current.version),
    )
    return { status: 200, body: next, version: next.version }
  },
})
