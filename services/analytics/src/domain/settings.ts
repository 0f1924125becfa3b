/** Reporting settings rules, pure. */
import type { AnalyticsSettingsInput } from '@relay/contracts/analytics'
import type { FieldError } from '@relay/core/errors'
import { Invalid, StaleVersion } from '@relay/core/outcomes'
import { isTimeZone } from './calendar.js'

/** Throws Invalid for an unknown zone, a rate for the base currency or a repeated one; StaleVersion on a stale If-Match. */
export function checkSettings(
  body: AnalyticsSettingsInput,
  version: number,
  ifMatch: number | undefined,
): void {
  if (ifMatch !== undefined && ifMatch !== version) throw new StaleVersion()
  const errors: FieldError[] = []
  if (!isTimeZone(body.timeZone))
    errors.push({
      field: 'timeZone',
      code: 'unknown_zone',
      message: 'Must be an IANA time zone such as Asia/Bangkok',
    })
  const seen = new Set<string>()
  body.rates.forEach((r, i) => {
    if (r.currency === body.baseCurrency)
      errors.push({
        field: `rates.${i}.currency`,
        code: 'base_rate',
        message: 'The base currency needs no rate',
      })
    else if (seen.has(r.currency))
      errors.push({ field: `rates.${i}.currency`, code: 'duplicate', message: 'One rate per currency' })
    seen.add(r.currency)
  })
  if (errors.length > 0) throw new Invalid(errors)
}
