/**
 * Quota and forecast routes.
 * Roles are core's sets: ANY_ROLE reads, WRITERS do sales work, MANAGERS configure.
 * Each declaration is marked pure: a handler imports this module for its one route, and esbuild
 * does not carry route()'s no-side-effects mark across files, so it would bundle all of them.
 */
import { Forecast, ForecastQuery, Quotas, QuotasInput, QuotasQuery } from '@relay/contracts/pipeline'
import { ANY_ROLE, MANAGERS, route } from '@relay/core/manifest'

export const getQuotas = /* @__PURE__ */ route({
  method: 'GET',
  path: '/quotas',
  function: 'get-quotas',
  roles: ANY_ROLE,
  summary: "A period's quotas",
  query: QuotasQuery,
  response: { status: 200, schema: Quotas },
})

export const putQuotas = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/quotas',
  function: 'put-quotas',
  roles: MANAGERS,
  summary: "Replace a period's quotas, one per owner",
  body: QuotasInput,
  example: {
    period: '2026-Q4',
    quotas: [{ ownerId: 'u-42', amount: { amountMinor: 10000000, currency: 'EUR' } }],
  },
  response: { status: 200, schema: Quotas },
})

export const getForecast = /* @__PURE__ */ route({
  method: 'GET',
  path: '/forecast',
  function: 'get-forecast',
  roles: ANY_ROLE,
  summary: 'Closed won, commit, best case and weighted pipeline per owner and in total, in the base currency',
  query: ForecastQuery,
  response: { status: 200, schema: Forecast },
})

/** In the order the API documentation lists them. */
export const forecastRoutes = [getQuotas, putQuotas, getForecast]
