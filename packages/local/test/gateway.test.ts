/**
 * The gateway's own answers to what a client may send: malformed or dot-segment paths, bodies over
 * the limit, no token, a function that times out. Raw `node:http` requests, because fetch would
 * normalise the paths these tests send.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { request, type Server } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGateway, parsePath } from '../src/gateway.js'
import { createInvoker } from '../src/invoke.js'
import { mintDevToken, verifyDevToken } from '../src/tokens.js'
import { testServices } from './fixtures/index.js'

const dataDir = mkdtempSync(join(tmpdir(), 'relay-gateway-'))
let server: Server
let port: number
let token: string

beforeAll(async () => {
  server = createGateway({
    stage: 'gw',
    services: testServices,
    invoker: createInvoker('gw', testServices),
    verify: (t) => verifyDevToken(t, { dataDir }),
    local: async (method, segments) =>
      method === 'GET' && segments.join('/') === 'ping' ? { status: 200, body: { pong: true } } : undefined,
    log: () => {},
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  token = await mintDevToken({ tenant: 'acme', roles: ['admin'] }, { dataDir })
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  rmSync(dataDir, { recursive: true, force: true })
})

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: any
}

/** One request with the path exactly as given. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        text += c
      })
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text ? JSON.parse(text) : undefined,
        }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * Streams up to `totalBytes` (declared in content-length) in 1 MiB chunks, as fast as the server
 * takes them, and reports the answer and how much the server let through before it closed.
 */
function upload(path: string, totalBytes: number, headers: Record<string, string> = {}, chunked = false) {
  return new Promise<{ status: number; body: any; sentBytes: number }>((resolve, reject) => {
    const chunk = Buffer.alloc(1024 * 1024, 'a')
    let sent = 0
    let answer: { status: number; body: any } | undefined
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent: false,
        headers: {
          'content-type': 'application/json',
          ...(chunked ? {} : { 'content-length': String(totalBytes) }),
          ...headers,
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => {
          text += c
        })
        res.on('end', () => {
          answer = { status: res.statusCode ?? 0, body: JSON.parse(text) }
        })
      },
    )
    const finish = () => {
      if (answer) resolve({ ...answer, sentBytes: sent })
      else reject(new Error(`no answer after ${sent} bytes`))
    }
    req.on('close', finish)
    req.on('error', () => {})
    const pump = () => {
      while (sent < totalBytes && !req.destroyed) {
        sent += chunk.length
        if (!req.write(chunk)) return void req.once('drain', pump)
      }
      if (sent >= totalBytes) req.end()
    }
    pump()
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const problem = (a: Answer, status: number) => {
  expect(a.status).toBe(status)
  expect(a.headers['content-type']).toBe('application/problem+json')
  expect(a.body).toMatchObject({
    type: 'about:blank',
    status,
    title: expect.any(String),
    detail: expect.any(String),
  })
}

describe('gateway paths', () => {
  it('answers a malformed percent-encoding with 400 problem+json, on any route', async () => {
    for (const path of ['/echo/%E0%A4%A', '/%ZZ', '/echo/%ZZ', '/_local/%E0', '/echo/1?x=%ZZ&y=%E0%A4%A#']) {
      const a = await raw('GET', path, { authorization: `Bearer ${token}` })
      if (path.startsWith('/echo/1?')) {
        // A query is not a path: a bad escape there is the function's to judge, as in API Gateway.
        expect(a.status, path).toBe(200)
        continue
      }
      problem(a, 400)
      expect(a.body.detail).toMatch(/percent-encoding/)
    }
  })

  it('never lets "." or ".." segments, raw or encoded, reach another route', async () => {
    for (const path of [
      '/echo/../public/echo',
      '/echo/1/../../public/echo',
      '/echo/%2e%2e/public/echo',
      '/echo/%2E%2E',
      '/echo/./1',
      '/_local/../public/echo',
      '/public/echo/.',
    ]) {
      const a = await raw('GET', path, { authorization: `Bearer ${token}` })
      problem(a, 400)
    }
  })

  it('passes an encoded slash or dot inside a segment as part of the parameter', async () => {
    const a = await raw('GET', '/echo/a%2Fb..c', { authorization: `Bearer ${token}` })
    expect(a.status).toBe(200)
    expect(a.body.event.pathParameters).toEqual({ id: 'a/b..c' })
    expect(a.body.event.rawPath).toBe('/echo/a%2Fb..c')
  })

  it('answers an unknown local route with 404 problem+json and serves a known one', async () => {
    problem(await raw('GET', '/_local/nowhere'), 404)
    expect((await raw('GET', '/_local/ping')).body).toEqual({ pong: true })
  })
})

describe('gateway input', () => {
  it('hands a text body that is not UTF-8 over base64-encoded, so nothing is replaced by U+FFFD', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xed, 0xa0, 0x80, 0xc3, 0x28]),
      Buffer.from('"}'),
    ])
    const res = await new Promise<Answer>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/echo/1',
          agent: false,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        },
        (r) => {
          let text = ''
          r.on('data', (c: Buffer) => {
            text += c.toString()
          })
          r.on('end', () =>
            resolve({ status: r.statusCode ?? 0, headers: r.headers, body: JSON.parse(text) }),
          )
        },
      )
      req.on('error', reject)
      req.end(bytes)
    })
    expect(res.body.event.isBase64Encoded).toBe(true)
    expect(Buffer.from(res.body.event.body, 'base64')).toEqual(bytes)
  })

  it('answers what the HTTP parser refuses (headers over 16 KiB, garbage) as problem+json', async () => {
    const long = await raw('GET', `/public/echo?q=${'x'.repeat(20_000)}`)
    problem(long, 431)
    const garbage = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'))
      let text = ''
      socket.on('data', (c: Buffer) => {
        text += c.toString()
      })
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    expect(garbage).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(garbage).toContain('content-type: application/problem+json')
    expect(JSON.parse(garbage.split('\r\n\r\n')[1]!)).toMatchObject({ status: 400, title: 'Bad Request' })
  })
})

describe('gateway limits', () => {
  it('answers a function that outlives its timeout with 504 problem+json', async () => {
    const a = await raw('GET', '/slow')
    problem(a, 504)
  })

  it("refuses a body over the route's maxBodyBytes with 413, declared or streamed", async () => {
    const declared = await raw(
      'POST',
      '/limited',
      { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      JSON.stringify({ pad: 'x'.repeat(2000) }),
    )
    problem(declared, 413)
    expect(declared.body.maxBytes).toBe(1024)
    const chunked = await raw(
      'POST',
      '/limited',
      {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
      JSON.stringify({ pad: 'x'.repeat(2000) }),
    )
    problem(chunked, 413)
    const within = await raw(
      'POST',
      '/limited',
      { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      JSON.stringify({ pad: 'x'.repeat(500) }),
    )
    expect(within.status).toBe(200)
  })

  it('checks the token before reading the body: an unauthenticated 200 MB POST is refused without growing the process', async () => {
    // Prepare
    global.gc?.()
    const before = process.memoryUsage()

    // Act
    const out = await upload('/echo/1', 200 * 1024 * 1024)
    const after = process.memoryUsage()

    // Assess
    expect(out.status).toBe(401)
    expect(out.body).toMatchObject({ status: 401, title: 'Unauthorized' })
    // What the sockets' buffers hold before the server stops reading, not the 200 MB.
    expect(out.sentBytes).toBeLessThan(64 * 1024 * 1024)
    expect(after.arrayBuffers + after.heapUsed - (before.arrayBuffers + before.heapUsed)).toBeLessThan(
      48 * 1024 * 1024,
    )
  })

  it('stops reading an authenticated body at the limit, declared or not', async () => {
    const auth = { authorization: `Bearer ${token}` }
    const declared = await upload('/echo/1', 200 * 1024 * 1024, auth)
    const streamed = await upload('/echo/1', 200 * 1024 * 1024, auth, true)
    expect([declared.status, streamed.status]).toEqual([413, 413])
    expect(declared.sentBytes).toBeLessThan(64 * 1024 * 1024)
    // Read up to API Gateway's 10 MiB, then no further.
    expect(streamed.sentBytes).toBeLessThan(80 * 1024 * 1024)
  })
})

describe('gateway stopping', () => {
  it('finishes the request in flight and serves nothing that arrives after close on the same connection', async () => {
    // Prepare: a gateway of its own and one kept-alive connection with a request in flight.
    const gateway = createGateway({
      stage: 'gw',
      services: testServices,
      invoker: createInvoker('gw', testServices),
      verify: async () => undefined,
      log: () => {},
    })
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve))
    const { port: own } = gateway.address() as AddressInfo
    const socket = connect(own, '127.0.0.1')
    let text = ''
    socket.on('data', (c: Buffer) => {
      text += c.toString()
    })
    const ended = new Promise((resolve) => socket.on('close', resolve))
    const answers = async (n: number) => {
      while ((text.match(/^HTTP\/1\.1 /gm) ?? []).length < n) await sleep(20)
    }

    // Act: close while /slow runs, then send another request on the same connection.
    socket.write('GET /slow HTTP/1.1\r\nhost: x\r\n\r\n')
    await sleep(200)
    const closed = new Promise((resolve) => gateway.close(resolve))
    await answers(1)
    socket.write('GET /public/echo HTTP/1.1\r\nhost: x\r\n\r\n')
    await ended
    await closed

    // Assess: Node closes the connection after the answer in flight; a request that still slips
    // in before the close gets the gateway's 503, never the route.
    const statuses = [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]))
    expect(statuses[0]).toBe(504)
    expect(statuses.slice(1).filter((s) => s !== 503)).toEqual([])
    expect(text).not.toContain('"routeKey"')
  })
})

describe('parsePath', () => {
  it('splits and decodes without normalising', () => {
    expect(parsePath('/a/b%20c?x=1')).toEqual({
      ok: true,
      raw: '/a/b%20c',
      segments: ['a', 'b c'],
      query: 'x=1',
    })
    expect(parsePath('/a/%2e')).toMatchObject({ ok: false })
    expect(parsePath('*')).toMatchObject({ ok: false })
  })
})
