import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startLocal } from '../src/runtime.js'
import { testServices, uniqueStage } from './fixtures/index.js'

interface Posted {
  body: { firstName: string; lastName: string; emails: { address: string; primary: boolean }[] }
  tenant: string
  idempotencyKey: string
}

describe('--demo', () => {
  it('creates contacts with names in several scripts through POST /contacts, shaped like the route example', async () => {
    // Prepare
    const g = globalThis as { __contacts?: Posted[] }
    g.__contacts = []
    const dataDir = mkdtempSync(join(tmpdir(), 'relay-demo-'))
    const lines: string[] = []

    // Act
    const rt = await startLocal({
      port: 0,
      stage: uniqueStage('demo'),
      dataDir,
      dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!,
      services: testServices,
      quiet: true,
      schedules: false,
      demo: true,
      streamHandler: async () => ({ batchItemFailures: [] }),
      log: (line) => lines.push(line),
    })
    await rt.stop()
    rmSync(dataDir, { recursive: true, force: true })

    // Assess
    const posted = g.__contacts
    expect(posted.length).toBeGreaterThanOrEqual(4)
    expect(new Set(posted.map((p) => p.tenant))).toEqual(new Set(['demo']))
    const names = posted.map((p) => `${p.body.firstName} ${p.body.lastName}`).join(' ')
    for (const script of [/\p{Script=Thai}/u, /\p{Script=Han}/u, /\p{Script=Arabic}/u, /ŷ|â|Siân/u]) {
      expect(names).toMatch(script)
    }
    expect(posted[0]!.body.emails).toEqual([{ address: expect.stringContaining('@'), primary: true }])
    expect(new Set(posted.map((p) => p.idempotencyKey)).size).toBe(posted.length)
    expect(lines.join('\n')).toMatch(/demo: \d+ contact/)
  })
})
