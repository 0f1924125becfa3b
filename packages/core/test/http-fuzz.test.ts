import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as z from 'zod/mini'
import { adHocRoutes, context, httpEvent } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())

const Body = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(50)),
  emails: z.optional(z.array(z.strictObject({ address: z.email() }))),
  stage: z.optional(z.enum(['lead', 'customer'])),
})

describe('http with random input (property)', () => {
  const handle = vi.fn(async () => ({ status: 200, body: { ok: true } }))
  const update = adHocRoutes({ service: 'corefuzz' })({ method: 'PUT', roles: ['admin'], body: Body, handle })

  it('answers 200 or a 400 naming fields, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.anything().map((v) => JSON.stringify(v) ?? ''),
          fc.record({ name: fc.string(), extra: fc.anything() }).map((v) => JSON.stringify(v)),
        ),
        fc.option(fc.string(), { nil: undefined }),
        async (body, ifMatch) => {
          const headers: Record<string, string> = ifMatch === undefined ? {} : { 'if-match': ifMatch }
          const res = await update(httpEvent({ method: 'PUT', body, headers }), context)
          if (res.statusCode === 200) return true
          const problem = JSON.parse(res.body ?? '{}') as { errors?: { field: string }[] }
          return res.statusCode === 400 && (problem.errors?.length ?? 0) > 0
        },
      ),
      { numRuns: 300 },
    )
  })

  it('decodes base64-encoded bodies before validating', async () => {
    const event = {
      ...httpEvent({ method: 'PUT' }),
      body: Buffer.from('{"name":"Ada"}').toString('base64'),
      isBase64Encoded: true,
    }
    const res = await update(event, context)
    expect(res.statusCode).toBe(200)
  })
})
