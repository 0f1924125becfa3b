import { nowIso } from '@relay/core/ids'
import { Invalid, NotFound, writeOrExplain } from '@relay/core/outcomes'
import { applyDealPatch, dealUpdated, diffDeals } from '../domain/deal.js'
import { assertNoProblems, checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/deals.js'
import { getDeal, saveDeal } from '../store/deals.js'
import { getProducts } from '../store/products.js'
import { referenceProblems } from '../store/references.js'

/** PATCH /deals/{id} (merge-patch) → 200 + ETag; nothing changed → nothing written or published. */
export const handler = httpNonPost(
  routes.updateDeal,
  async ({ params, body, caller, ifMatch, correlationId }) => {
    const current = await getDeal(caller.tenantId, params.id)
    if (!current) throw new NotFound('No deal with this id.')
    checkVersion(ifMatch, current.version)
    if (body.contactId && body.contactId !== current.contactId)
      assertNoProblems(await referenceProblems(caller.tenantId, { contactId: body.contactId }))
    const products = await getProducts(caller.tenantId, body.lineItems?.map((l) => l.productId) ?? [])
    const patched = applyDealPatch(current, body, { products, now: nowIso() })
    if ('problems' in patched) throw new Invalid(patched.problems)
    const next = patched.deal
    const changes = diffDeals(current, next)
    if (Object.keys(changes).length === 0) return { status: 200, body: current, version: current.version }
    await writeOrExplain(
      () => saveDeal(caller.tenantId, next, current.version, [dealUpdated(next, changes)], correlationId),
      async () => Boolean(await getDeal(caller.tenantId, current.id)),
    )
    return { status: 200, body: next, version: next.version }
  },
)
