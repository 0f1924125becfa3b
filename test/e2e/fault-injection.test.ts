/**
 * Fault injection on the real `npm start` entry (services/local.ts) run as a child process, driven
 * over HTTP like a client: kill -9 after acknowledged writes, Ctrl-C in the middle of a burst, and
 * DynamoDB paused (a TCP proxy that holds every byte, as a SIGSTOPped emulator would) during keyed
 * POSTs. Bounded: each case well under 30 s on a busy 2-core machine.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mintDevToken } from '@relay/local/tokens'
import { afterEach, describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Child {
  url: string
  process: ChildProcess
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>
  output(): string
}

/**
 * Starts `services/local.ts start` in its own process group (as a terminal would run `npm start`)
 * and resolves once it prints its URL.
 */
async function startChild(args: {
  dataDir: string
  stage: string
  dynamodbEndpoint?: string
}): Promise<Child> {
  const argv = ['--import', 'tsx', 'services/local.ts', 'start', '--port', '0', '--quiet']
  argv.push('--stage', args.stage, '--data-dir', args.dataDir)
  if (args.dynamodbEndpoint) argv.push('--dynamodb-endpoint', args.dynamodbEndpoint)
  const child = spawn(process.execPath, argv, {
    cwd: repo,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', PORT: '' },
  })
  let output = ''
  child.stdout!.on('data', (c: Buffer) => {
    output += c.toString()
  })
  child.stderr!.on('data', (c: Buffer) => {
    output += c.toString()
  })
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  )
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  })
  const deadline = Date.now() + 60_000
  for (;;) {
    const url = /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
    if (url) return { url, process: child, exited, output: () => output }
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the runtime did not start:\n${output}`)
    await sleep(50)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relay-fault-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const stageName = (prefix: string) => `${prefix}${Math.random().toString(36).slice(2, 7)}`

async function call(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, url), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

const contact = (tag: string, i: number) => ({
  firstName: `Fault${i}`,
  lastName: tag,
  emails: [{ address: `fault-${tag}-${i}@example.com`, primary: true }],
})

/** Every contact of the token's tenant. */
interface StoredContact {
  id: string
  firstName: string
}

async function allContacts(url: string, token: string): Promise<StoredContact[]> {
  const items: StoredContact[] = []
  let cursor: string | undefined
  do {
    const page = await call(url, token, 'GET', `/contacts?limit=100${cursor ? `&cursor=${cursor}` : ''}`)
    expect(page.status).toBe(200)
    items.push(...page.body.items)
    cursor = page.body.nextCursor
  } while (cursor)
  return items
}

/** Polls analytics' contact count (fed by Contact.Created through the bus) until it reaches `want`. */
async function analyticsCount(url: string, token: string, want: number, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let total = -1
  while (Date.now() < deadline) {
    const dashboard = await call(url, token, 'GET', '/analytics/dashboard')
    total = dashboard.status === 200 ? dashboard.body.kpis.contactsTotal.value : -1
    if (total >= want) return total
    await sleep(200)
  }
  return total
}

const deadLetters = (dataDir: string): unknown[] => {
  const file = join(dataDir, 'dead-letters.json')
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown[]) : []
}

/** Runs `jobs` with at most `width` in flight. */
async function pool<T>(width: number, jobs: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++
        results[i] = await jobs[i]!().then(
          (value) => ({ status: 'fulfilled', value }) as const,
          (reason: unknown) => ({ status: 'rejected', reason }) as const,
        )
      }
    }),
  )
  return results
}

/** A TCP proxy to DynamoDB that can hold every byte both ways, as a SIGSTOPped emulator does. */
async function pausableProxy(target: string): Promise<{ endpoint: string; pause(): void; resume(): void }> {
  const { hostname, port } = new URL(target)
  let paused = false
  const held: { to: Socket; data: Buffer }[] = []
  const forward = (to: Socket, data: Buffer) => (paused ? held.push({ to, data }) : to.write(data))
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
    client.on('data', (d: Buffer) => forward(upstream, d))
    upstream.on('data', (d: Buffer) => forward(client, d))
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  const address = server.address() as { port: number }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    pause: () => {
      paused = true
    },
    resume: () => {
      paused = false
      for (const { to, data } of held.splice(0)) if (!to.destroyed) to.write(data)
    },
  }
}

describe('fault injection', () => {
  it('kill -9 after acknowledged creates: the restarted runtime delivers every Contact.Created', async () => {
    // Prepare
    const dataDir = tempDir()
    const stage = stageName('kill')
    const endpoint = process.env.DYNAMODB_ENDPOINT!
    const first = await startChild({ dataDir, stage, dynamodbEndpoint: endpoint })
    const token = await mintDevToken({ tenant: 'kill9', roles: ['admin'] }, { dataDir })
    const n = 60

    // Act: n acknowledged creates, then kill -9 at once (no chance to drain anything).
    const results = await pool(
      8,
      Array.from(
        { length: n },
        (_, i) => () => call(first.url, token, 'POST', '/contacts', contact('kill', i)),
      ),
    )
    process.kill(first.process.pid!, 'SIGKILL')
    await first.exited
    const second = await startChild({ dataDir, stage, dynamodbEndpoint: endpoint })
    const counted = await analyticsCount(second.url, token, n)

    // Assess
    const acked = results.filter((r) => r.status === 'fulfilled' && r.value.status === 201)
    expect(acked).toHaveLength(n)
    expect(counted).toBe(n)
    expect(deadLetters(dataDir)).toEqual([])
  }, 60_000)

  it('Ctrl-C in the middle of a burst: an orderly stop, no dead letters, every stored contact counted after restart', async () => {
    // Prepare: the runtime with its own DynamoDB Local, as `npm start` runs.
    const dataDir = tempDir()
    const stage = stageName('sigint')
    const first = await startChild({ dataDir, stage })
    const token = await mintDevToken({ tenant: 'ctrlc', roles: ['admin'] }, { dataDir })
    let acked = 0

    // Act: Ctrl-C (SIGINT to the whole process group, as a terminal sends it) once 30 creates are in.
    const burst = pool(
      16,
      Array.from({ length: 120 }, (_, i) => async () => {
        const res = await call(first.url, token, 'POST', '/contacts', contact('ctrlc', i))
        if (res.status === 201 && ++acked === 30) process.kill(-first.process.pid!, 'SIGINT')
        return res
      }),
    )
    const started = Date.now()
    await burst
    const code = await first.exited
    const stoppedWithin = Date.now() - started
    const deadAfterStop = deadLetters(dataDir)
    const second = await startChild({ dataDir, stage })
    const stored = await allContacts(second.url, token)
    const counted = await analyticsCount(second.url, token, stored.length)

    // Assess
    expect(code, first.output()).toBe(0)
    expect(stoppedWithin).toBeLessThan(20_000)
    expect(deadAfterStop).toEqual([])
    expect(stored.length).toBeGreaterThanOrEqual(acked)
    expect(counted).toBe(stored.length)
    expect(deadLetters(dataDir)).toEqual([])
  }, 90_000)

  it('DynamoDB paused past the function timeout during keyed POSTs: retries with the same key never create a second contact', async () => {
    // Prepare
    const dataDir = tempDir()
    const stage = stageName('pause')
    const proxy = await pausableProxy(process.env.DYNAMODB_ENDPOINT!)
    const child = await startChild({ dataDir, stage, dynamodbEndpoint: proxy.endpoint })
    const token = await mintDevToken({ tenant: 'paused', roles: ['admin'] }, { dataDir })
    const keys = ['k-1', 'k-2', 'k-3']
    const statuses: number[] = []

    // Act: pause for 12 s (> the 10 s function timeout) while the first tries are in flight; each
    // key is retried, as a client does after a 5xx or a 409 "in progress", until it gets a 2xx.
    proxy.pause()
    const resume = sleep(12_000).then(() => proxy.resume())
    const outcomes = await Promise.all(
      keys.map(async (key, i) => {
        for (let attempt = 0; attempt < 40; attempt++) {
          // No email: a unique email would turn a duplicate into a 409 and hide it.
          const body = { firstName: `Paused${i}`, lastName: 'Keyed' }
          const res = await call(child.url, token, 'POST', '/contacts', body, {
            'idempotency-key': key,
          }).catch(() => ({ status: 0, body: undefined }))
          statuses.push(res.status)
          if (res.status >= 200 && res.status < 300) return res
          await sleep(500)
        }
        throw new Error(`no 2xx for ${key}: ${statuses.join(' ')}`)
      }),
    )
    await resume
    const stored = await allContacts(child.url, token)

    // Assess
    expect(
      statuses.some((s) => s >= 500),
      `the pause must have bitten: ${statuses.join(' ')}`,
    ).toBe(true)
    for (const [i, out] of outcomes.entries()) {
      const mine = stored.filter((c) => c.firstName === `Paused${i}`)
      expect(
        mine.map((c) => c.id),
        `key ${keys[i]}`,
      ).toEqual([out.body.id])
    }
    expect(stored).toHaveLength(keys.length)
  }, 60_000)
})
