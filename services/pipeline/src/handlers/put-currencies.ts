import type { CurrencySettings } from '@relay/contracts/pipeline'
import { nowIso } from '@relay/core/ids'
import { writeOrExplain } from '@relay/core/outcomes'
import { assertNoProblems, checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { currencySettings, getCurrencySettings, putCurrencySettings } from '../store/settings.js'

/**
 * PUT /settings/currencies `{ baseCurrency, rates: [{ currency, rate }] }` → 200 + ETag. A rate is
 * an exact decimal string: 1 unit of `currency` = `rate` units of the base currency.
 */
export const handler = httpNonPost(routes.putCurrencies, async ({ body, caller, ifMatch }) => {
  const current = await currencySettings(caller.tenantId)
  checkVersion(ifMatch, current.version)
  const seen = new Set<string>()
  assertNoProblems(
    body.rates.flatMap((r, i) => {
      const problem =
        r.currency === body.baseCurrency
          ? { field: `rates.${i}.currency`, code: 'base_rate', message: 'The base currency needs no rate' }
          : seen.has(r.currency)
            ? { field: `rates.${i}.currency`, code: 'duplicate', message: 'One rate per currency' }
            : undefined
      seen.add(r.currency)
      return problem ? [problem] : []
    }),
  )
  const next: CurrencySettings = { ...body, version: current.version + 1, updatedAt: nowIso() }
  await writeOrExplain(
    () => putCurrencySettings(caller.tenantId, next, current.version),
    async () => current.version === 0 || Boolean(await getCurrencySettings(caller.tenantId)),
  )
  return { status: 200, body: next, version: next.version }
})
