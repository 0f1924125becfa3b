import {
  CustomerParams,
  CustomerScores,
  ForecastQuery,
  ForecastResponse,
} from '@relay/contracts/analytics-insights'
import { ANY_ROLE, route } from '@relay/core/manifest'

// Like the aggregates, forecasts and customer scores are no secret within a tenant: every role reads them.

export const getForecast = /* @__PURE__ */ route({
  method: 'GET',
  path: '/analytics/forecast',
  function: 'get-forecast',
  roles: ANY_ROLE,
  summary:
    'Forecast of a KPI (Holt-Winters on the cleaned history + weighted pipeline), with intervals and backtest MAPE',
  query: ForecastQuery,
  response: { status: 200, schema: ForecastResponse },
})

export const getCustomerScores = /* @__PURE__ */ route({
  method: 'GET',
  path: '/analytics/customers/{contactId}',
  function: 'get-customer-scores',
  roles: ANY_ROLE,
  summary: "A contact's RFM scores and segment, churn risk and cross-sell / up-sell suggestions",
  params: CustomerParams,
  response: { status: 200, schema: CustomerScores },
})

export const insightsRoutes = [getForecast, getCustomerScores] as const
