/**
 * What the manifest grants against what the code does, for what no other check sees: a function's
 * `sendsTo` names the queues its writes may enqueue to (queue-outbox items), and the CDK app grants
 * the outbox publisher `sqs:SendMessage` only on the queues that the functions writing its table
 * list there; locally nothing is enforced, so an enqueuer missing its `sendsTo` would pass every
 * local test and its messages would fail to send in AWS. Each function's entry is followed through
 * its imports within this service, and every queue it can enqueue to (the store functions that
 * build a `queueItem`) must be in its `sendsTo`, and nothing more. Roles and schemas need no such
 * test: handlers take them from the route they serve.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from 'vitest'
import { manifest } from '../src/service.js'

const SRC = join(import.meta.dirname, '..', 'src')

/** Each store function that enqueues (its writes carry a `queueItem`) and the queue it enqueues to. */
const SENDERS: Readonly<Record<string, string>> = {
  insertImportJob: 'import-chunks',
  queueUploadedImport: 'import-chunks',
  finishImportChunk: 'import-chunks',
  insertExportJob: 'export-runs',
  parkActivity: 'parked-activity',
}

/** Every module of the service (src/**), for the completeness check of {@link SENDERS}. */
function allModules(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allModules(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
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
    expect(actual['start-export']).toEqual(['export-runs'])
  })

  it('knows every function that enqueues: each queueItem call is inside a sender of its queue', () => {
    const found: string[] = []
    for (const file of allModules()) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\bqueueItem\('([a-z-]+)'/g)) {
        const before = text.slice(0, m.index)
        const fn = [...before.matchAll(/export (?:async )?function (\w+)/g)].at(-1)?.[1] ?? '(module)'
        found.push(`${fn} → ${m[1]}`)
      }
    }
    expect(found.sort()).toEqual(
      Object.entries(SENDERS)
        .map(([fn, q]) => `${fn} → ${q}`)
        .sort(),
    )
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
