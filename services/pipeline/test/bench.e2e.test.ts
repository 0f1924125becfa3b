/** The pipeline benchmark runs end to end on a small scale (figures are not asserted: speed is the bench's job). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { benchPipeline } from '../../../test/bench/pipeline.js'
import { type Api, startApi } from '../../../test/e2e/harness.js'

let api: Api
beforeAll(async () => {
  api = await startApi({ only: ['contacts', 'pipeline'] })
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

describe('benchPipeline', () => {
  it('seeds deals, measures the forecast and stage changes, and reports each figure', async () => {
    const token = await api.token('bench-small', ['admin'], 'u-bench')
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await api.call(method, path, { token, ...(body !== undefined ? { body } : {}) })
      if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${res.text}`)
      return { res: new Response(null, { status: res.status }), json: res.body }
    }
    // PIPELINE_BENCH_DEALS lets a developer run the full-size figure through this harness.
    const deals = Number(process.env.PIPELINE_BENCH_DEALS ?? 600)
    const lines = await benchPipeline(api.runtime, call, { deals, samples: 5, tenantId: 'bench-small' })
    if (process.env.PIPELINE_BENCH_DEALS) console.log(lines.join('\n'))
    expect(lines).toHaveLength(3)
    expect(lines[1]).toMatch(/^Forecast GET \/forecast\?period=2026-Q4 at \d+ deals .* deals in the period/)
    expect(lines[0]).toMatch(/^Stage change .* \(5\/5 seen within 5 s\)$/)
  }, 900_000)
})
