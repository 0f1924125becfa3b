import {
  AnalyticsSettings,
  AnalyticsSettingsInput,
  Dashboard,
  DashboardQuery,
  Report,
  ReportCatalogue,
  ReportParams,
  ReportQuery,
} from '@relay/contracts/analytics'
import { ANY_ROLE, MANAGERS, route } from '@relay/core/manifest'

// Aggregates are no secret within a tenant: every role may read them; managers set the reporting zone.

export const getDashboard = /* @__PURE__ */ route({
  method: 'GET',
  path: '/analytics/dashboard',
  function: 'get-dashboard',
  roles: ANY_ROLE,
  summary: 'Every KPI of a period with its change against the previous period or year',
  query: DashboardQuery,
  response: { status: 200, schema: Dashboard },
})

export const listReports = /* @__PURE__ */ route({
  method: 'GET',
  path: '/analytics/reports',
  function: 'list-reports',
  roles: ANY_ROLE,
  summary: 'The reports (one per KPI, and the funnels) and what each can be grouped by',
  response: { status: 200, schema: ReportCatalogue },
})

export const getReport = /* @__PURE__ */ route({
  method: 'GET',
  path: '/analytics/reports/{name}',
  function: 'get-report',
  roles: ANY_ROLE,
  summary: 'The series behind a KPI or a funnel, as JSON, text/csv or image/svg+xml (Accept)',
  params: ReportParams,
  query: ReportQuery,
  errors: { 406: 'None of the Accept types is offered (application/json, text/csv, image/svg+xml)' },
  response: {
    status: 200,
    schema: Report,
    alternatives: {
      'text/csv': 'RFC 4180: one row per period, one column per series (attachment)',
      'image/svg+xml': 'A chart: lines per series, bars for a funnel; axes, labels, legend',
    },
  },
})

export const getSettings = /* @__PURE__ */ route({
  method: 'GET',
  path: '/analytics/settings',
  function: 'get-analytics-settings',
  roles: ANY_ROLE,
  summary: 'Reporting time zone, base currency and rates',
  response: { status: 200, schema: AnalyticsSettings },
})

export const putSettings = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/analytics/settings',
  function: 'put-analytics-settings',
  roles: MANAGERS,
  summary: 'Set the reporting time zone (the day each event counts on), base currency and rates',
  body: AnalyticsSettingsInput,
  example: { timeZone: 'Asia/Bangkok', baseCurrency: 'THB', rates: [{ currency: 'USD', rate: '35.5' }] },
  response: { status: 200, schema: AnalyticsSettings },
})

export const analyticsRoutes = [getDashboard, listReports, getReport, getSettings, putSettings] as const
