import { describe, expect, it } from 'vitest'
import { contentDisposition } from '../src/http.js'
import { WRITERS } from '../src/manifest.js'
import { adHocRoutes, context, httpEvent } from './helpers.js'

const http = adHocRoutes({ service: 'coretest' })

describe('HttpResult.raw', () => {
  it('sends the body as is with its content type and an attachment name', async () => {
    // Prepare
    const handler = http({
      roles: WRITERS,
      handle: async () => ({
        status: 200,
        raw: {
          body: '\uFEFFa,b\r\n1,2\r\n',
          contentType: 'text/csv; charset=utf-8',
          filename: 'contacts.csv',
        },
        headers: { 'x-next-cursor': 'abc' },
      }),
    })
    // Act
    const res = await handler(httpEvent({ method: 'GET' }), context)
    // Assess
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('\uFEFFa,b\r\n1,2\r\n')
    expect(res.headers?.['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers?.['content-disposition']).toBe(
      `attachment; filename="contacts.csv"; filename*=UTF-8''contacts.csv`,
    )
    expect(res.headers?.['x-next-cursor']).toBe('abc')
  })

  it('leaves JSON answers as they were', async () => {
    const handler = http({ roles: WRITERS, handle: async () => ({ status: 200, body: { a: 1 } }) })
    const res = await handler(httpEvent({ method: 'GET' }), context)
    expect(res.headers?.['content-type']).toBe('application/json')
    expect(res.headers?.['content-disposition']).toBeUndefined()
    expect(res.body).toBe('{"a":1}')
  })

  it('keeps a non-ASCII file name exact in filename* and safe in filename', () => {
    expect(contentDisposition('ลูกค้า "x".csv')).toBe(
      `attachment; filename="______ _x_.csv"; filename*=UTF-8''%E0%B8%A5%E0%B8%B9%E0%B8%81%E0%B8%84%E0%B9%89%E0%B8%B2%20%22x%22.csv`,
    )
  })
})
