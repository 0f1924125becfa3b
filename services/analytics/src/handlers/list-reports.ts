import { FUNNELS, KPI_REPORTS, REPORT_NAMES, reportGroupBy } from '../domain/dashboard.js'
import { KPIS } from '../domain/kpis.js'
import { httpNonPost } from '../kit.js'
import { listReports } from '../routes/analytics.js'

/** GET /analytics/reports → every report name, its unit and its groupBy dimensions. */
export const handler = httpNonPost(listReports, async () => ({
  status: 200,
  body: {
    items: REPORT_NAMES.map((name) => ({
      name,
      unit: name in FUNNELS ? 'count' : KPIS[KPI_REPORTS[name]!].unit,
      groupBy: [...reportGroupBy(name)],
    })),
  },
}))
