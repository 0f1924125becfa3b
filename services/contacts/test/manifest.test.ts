/**
 * What the manifest grants against what the code does, for what no other check sees: the CDK app
 * grants `sqs:SendMessage` only on the queues a function lists in `sendsTo`, and locally nothing is
 * enforced, so a sender missing its `sendsTo` would pass every local test and fail in AWS. Each
 * function's entry is followed through its imports within this service, and every queue it can send
 * to (the senders of src/queues.ts and src/activity-entries.ts) must be in its `sendsTo`, and
 * nothing more. Roles and schemas need no such test: handlers take them from the route they serve.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from 'vitest'
import { manifest } from '../src/service.js'

const SRC = join(import.meta.dirname, '..', 'src')

/** Each queue sender and the queue it sends to. */
const SENDERS: Readonly<Record<string, string>> = {
  requestImportChunk: 'import-chunks',
  requestExportRun: 'export-runs',
  entryOrPark: 'parked-activity',
}

/** The modules of this service an entry reaches through its static imports. */
function reachable(entry: string): string[] {
  const seen = new Set<string>()
  const walk = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/from '(\.[^']+)\.js'/g)) walk(normalize(join(dirname(file), `${m[1]}.ts`)))
  }
  walk(join(SRC, entry))
  return [...seen]
}

/** The queues the code reachable from `entry` sends to: a sender called outside its own module. */
function queuesSentTo(entry: string): string[] {
  const queues = new Set<string>()
  for (const file of reachable(entry)) {
    const text = readFileSync(file, 'utf8')
    for (const [sender, queue] of Object.entries(SENDERS)) {
      const defined = new RegExp(`export (async )?function ${sender}\\b`).test(text)
      if (!defined && new RegExp(`\\b${sender}\\(`).test(text)) queues.add(queue)
    }
  }
  return [...queues].sort()
}

describe('contacts manifest', () => {
  it("lists in each function's sendsTo exactly the queues its code sends to", () => {
    const actual = Object.fromEntries(
      Object.entries(manifest.functions).map(([name, fn]) => [name, queuesSentTo(fn.entry)]),
    )
    const declared = Object.fromEntries(
      Object.entries(manifest.functions).map(([name, fn]) => [
        name,
        [...((fn as { sendsTo?: readonly string[] }).sendsTo ?? [])].sort(),
      ]),
    )
    expect(actual).toEqual(declared)
    // The check sees the senders at all (a renamed sender would make it vacuous).
    expect(actual['run-import']).toEqual(['import-chunks'])
    expect(actual['on-related-activity']).toEqual(['parked-activity'])
  })

  it('consumes each work queue by a function that exists, and publishes no internal work on the bus', () => {
    for (const [queue, def] of Object.entries(manifest.queues)) {
      expect(manifest.functions, queue).toHaveProperty(def.consumer)
    }
    const published = manifest.publishes.map((p) => p.detailType)
    for (const internal of [
      'ContactImport.Requested',
      'ContactImport.ChunkRequested',
      'ContactExport.Requested',
    ]) {
      expect(published).not.toContain(internal)
    }
    expect(JSON.stringify(manifest.subscriptions.map((s) => s.pattern))).not.toContain('"crm.contacts"')
  })
})
