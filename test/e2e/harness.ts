/**
 * End-to-end harness: one local runtime per test file (its own stage, so its own tables) on the
 * DynamoDB Local that the global setup started, driven only through HTTP like a real client.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Role } from '@relay/core/manifest'
import { type LocalRuntime, startLocal } from '@relay/local/runtime'

export interface Api {
  url: string
  runtime: LocalRuntime
  /** Bearer token for a tenant and roles (user defaults to `u-<tenant>`). */
  token(tenant: string, roles: readonly Role[], user?: string): Promise<string>
  /** Fetch relative to the gateway, with JSON body and an optional token. */
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>
  stop(): Promise<void>
}

export async function startApi(): Promise<Api> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-e2e-'))
  const stage = `e2e${Math.random().toString(36).slice(2, 8)}`
  const runtime = await startLocal({
    port: 0,
    stage,
    dataDir,
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT,
    quiet: true,
  })
  const call: Api['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    let body: string | undefined = opts.rawBody
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body)
      headers['content-type'] ??= 'application/json'
    }
    const res = await fetch(new URL(path, runtime.url), { method, headers, body })
    const text = await res.text()
    let parsed: unknown
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    return { status: res.status, headers: res.headers, body: parsed, text }
  }
  return {
    url: runtime.url,
    runtime,
    token: (tenant, roles, user) => runtime.token(tenant, [...roles], user ?? `u-${tenant}`),
    call,
    async stop() {
      await runtime.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Polls `probe` until it returns a truthy value or the deadline passes; returns the last value. */
export async function eventually<T>(probe: () => Promise<T>, timeoutMs = 5_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last = await probe()
  while (!last && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs))
    last = await probe()
  }
  return last
}
