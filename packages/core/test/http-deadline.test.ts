/** A handler nearing Lambda's deadline answers 504 problem+json (issue 9.4). */
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { DEADLINE_MARGIN_MS } from '../src/http.js'
import { httpKit } from '../src/kit.js'
import { route, WRITERS } from '../src/manifest.js'
import { bodyOf, httpEvent } from './helpers.js'

const http = httpKit({ service: 'coredeadline' })
const slowRoute = route({ method: 'GET', path: '/slow', function: 'slow', roles: WRITERS, summary: 'slow' })

describe('deadline', () => {
  it('answers 504 problem+json a margin before the function would time out', async () => {
    // Prepare: 200 ms left before the margin; the handler needs 2 s.
    const startedAt = Date.now()
    const context = {
      getRemainingTimeInMillis: () => DEADLINE_MARGIN_MS + 200 - (Date.now() - startedAt),
    } as unknown as Context
    const handler = http(
      slowRoute,
      () => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 2000)),
    )
    // Act
    const res = await handler(httpEvent({ method: 'GET', path: '/slow' }), context)
    // Assess
    expect(Date.now() - startedAt).toBeLessThan(1500)
    expect(res.statusCode).toBe(504)
    expect(res.headers?.['content-type']).toBe('application/problem+json')
    expect(bodyOf(res)).toMatchObject({ status: 504, title: 'Gateway Timeout' })
  })
})
