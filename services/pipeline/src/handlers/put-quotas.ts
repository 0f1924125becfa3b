import { type Quotas, QuotasInput } from '@relay/contracts/pipeline'
import { nowIso } from '@relay/core/ids'
import { CONFIG_ROLES } from '../access.js'
import { http } from '../http.js'
import { getQuotas, putQuotas } from '../store/quotas.js'
import { assertNoProblems, checkIfMatch, writeOrExplain } from '../support.js'

/** PUT /quotas `{ period, quotas: [{ ownerId, amount }] }` → 200 + ETag: replaces that period's quotas. */
export const handler = http({
  roles: CONFIG_ROLES,
  body: QuotasInput,
  async handle({ body, caller, ifMatch }) {
    const stored = await getQuotas(caller.tenantId, body.period)
    const version = stored?.version ?? 0
    checkIfMatch(ifMatch, version)
    const seen = new Set<string>()
    assertNoProblems(
      body.quotas.flatMap((q, i) => {
        const dup = seen.has(q.ownerId)
        seen.add(q.ownerId)
        return dup
          ? [{ field: `quotas.${i}.ownerId`, code: 'duplicate', message: 'One quota per owner' }]
          : []
      }),
    )
    const next: Quotas = { ...body, version: version + 1, updatedAt: nowIso() }
    await writeOrExplain(
      async () => version === 0 || Boolean(await getQuotas(caller.tenantId, body.period)),
      ifMatch,
      () => putQuotas(caller.tenantId, next, version),
    )
    return { status: 200, body: next, version: next.version }
  },
})
