import type { Quotas } from '@relay/contracts/pipeline'
import { nowIso } from '@relay/core/ids'
import { writeOrExplain } from '@relay/core/outcomes'
import { assertNoProblems, checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/forecast.js'
import { getQuotas, putQuotas } from '../store/quotas.js'

/** PUT /quotas `{ period, quotas: [{ ownerId, amount }] }` → 200 + ETag: replaces that period's quotas. */
export const handler = httpNonPost(routes.putQuotas, async ({ body, caller, ifMatch }) => {
  const stored = await getQuotas(caller.tenantId, body.period)
  const version = stored?.version ?? 0
  checkVersion(ifMatch, version)
  const seen = new Set<string>()
  assertNoProblems(
    body.quotas.flatMap((q, i) => {
      const dup = seen.has(q.ownerId)
      seen.add(q.ownerId)
      return dup ? [{ field: `quotas.${i}.ownerId`, code: 'duplicate', message: 'One quota per owner' }] : []
    }),
  )
  const next: Quotas = { ...body, version: version + 1, updatedAt: nowIso() }
  await writeOrExplain(
    () => putQuotas(caller.tenantId, next, version),
    async () => version === 0 || Boolean(await getQuotas(caller.tenantId, body.period)),
  )
  return { status: 200, body: next, version: next.version }
})
