import { DEAL_EVENT, IdParams, UpdateDeal } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { nowIso } from '@relay/core/ids'
import { SALES_ROLES } from '../access.js'
import { applyDealPatch, diffDeals } from '../domain/deal.js'
import { http } from '../http.js'
import { getDeal, saveDeal } from '../store/deals.js'
import { getProducts } from '../store/products.js'
import { assertNoProblems, checkIfMatch, writeOrExplain } from '../support.js'

/** PATCH /deals/{id} (merge-patch) → 200 + ETag; nothing changed → nothing written or published. */
export const handler = http({
  roles: SALES_ROLES,
  params: IdParams,
  body: UpdateDeal,
  async handle({ params, body, caller, ifMatch, correlationId }) {
    const current = await getDeal(caller.tenantId, params.id)
    if (!current) throw notFound('No deal with this id.')
    checkIfMatch(ifMatch, current.version)
    const products = body.lineItems?.length
      ? await getProducts(
          caller.tenantId,
          body.lineItems.map((l) => l.productId),
        )
      : new Map()
    const patched = applyDealPatch(current, body, { products, now: nowIso() })
    if ('problems' in patched) return assertNoProblems(patched.problems) as never
    const next = patched.deal
    const changes = diffDeals(current, next)
    if (Object.keys(changes).length === 0) return { status: 200, body: current, version: current.version }
    await writeOrExplain(
      async () => Boolean(await getDeal(caller.tenantId, current.id)),
      ifMatch,
      () =>
        saveDeal(
          caller.tenantId,
          next,
          current.version,
          [{ detailType: DEAL_EVENT.updated, data: { id: next.id, version: next.version, changes } }],
          correlationId,
        ),
    )
    return { status: 200, body: next, version: next.version }
  },
})
