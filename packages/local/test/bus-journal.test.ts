/**
 * Durable local delivery: what the bus acknowledged survives the process (journal), and a bus that
 * stops mid-delivery leaves its work for the next start instead of dead-lettering it.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DeliveryJournal } from '../src/bus/journal.js'
import { LocalBus } from '../src/bus.js'
import type { Invoker } from '../src/invoke.js'
import { testServices } from './fixtures/index.js'

const dirs: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-journal-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** An invoker whose behaviour the test sets; records the detail of every event it is handed. */
function fakeInvoker(behave: (event: { detail: { n: number } }) => Promise<unknown>) {
  const calls: number[] = []
  const invoker: Invoker = {
    invoke: async (_service, _fn, event) => {
      calls.push((event as { detail: { n: number } }).detail.n)
      return behave(event as { detail: { n: number } })
    },
    physicalName: (service, fn) => `crm-test-${service}-${fn}`,
    find: () => undefined,
  }
  return { invoker, calls }
}

const entry = (n: number) => ({
  Source: 'crm.test',
  DetailType: 'Thing.Created',
  Detail: JSON.stringify({ n }),
})

describe('DeliveryJournal', () => {
  it('reopens with only what was added and not done, ignoring a torn last line', async () => {
    // Prepare
    const file = join(tempDir(), 'j.jsonl')
    const journal = new DeliveryJournal<{ n: number }>(file)
    await journal.open()

    // Act
    await journal.add([
      { id: 'a', value: { n: 1 } },
      { id: 'b', value: { n: 2 } },
      { id: 'c', value: { n: 3 } },
    ])
    await journal.done(['b'])
    await journal.close()
    appendFileSync(file, '{"add":"d","val')
    const reopened = new DeliveryJournal<{ n: number }>(file)
    const pending = await reopened.open()

    // Assess
    expect(pending).toEqual([
      { id: 'a', value: { n: 1 } },
      { id: 'c', value: { n: 3 } },
    ])
    // Compacted on open: one line per pending delivery.
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2)
    await reopened.close()
  })

  it('refuses an add once closed, so nothing is acknowledged that would not survive', async () => {
    const journal = new DeliveryJournal<number>(join(tempDir(), 'j.jsonl'))
    await journal.open()
    await journal.close()
    await expect(journal.add([{ id: 'x', value: 1 }])).rejects.toThrow(/stopping/)
  })
})

describe('LocalBus durability', () => {
  it('delivers after a restart what it had acknowledged but not delivered (the process died)', async () => {
    // Prepare: the first process never gets to deliver (its function hangs), then "dies".
    const dataDir = tempDir()
    const hung = fakeInvoker(() => new Promise(() => {}))
    const first = new LocalBus({ services: testServices, invoker: hung.invoker, dataDir, retryDelaysMs: [5] })
    await first.load()
    const acked = await first.putEvents([entry(1), entry(2), entry(3)])

    // Act: a new process on the same data folder.
    const ok = fakeInvoker(async () => undefined)
    const second = new LocalBus({ services: testServices, invoker: ok.invoker, dataDir, retryDelaysMs: [5] })
    await second.load()
    const resumed = second.resume()
    await second.idle()

    // Assess
    expect(acked.FailedEntryCount).toBe(0)
    expect(resumed).toBe(3)
    expect(ok.calls.sort()).toEqual([1, 2, 3])
    expect(second.pending()).toBe(0)
    expect(second.deadLetters()).toEqual([])
    await second.close(100)
  })

  it('on close, drains within the bound and leaves what still fails journaled, not dead-lettered', async () => {
    // Prepare: event 1 delivers, event 2 fails while the process stops (its DynamoDB going away).
    const dataDir = tempDir()
    const failing = fakeInvoker(async (e) => {
      if (e.detail.n === 2) throw new Error('connect ECONNREFUSED')
    })
    const bus = new LocalBus({
      services: testServices,
      invoker: failing.invoker,
      dataDir,
      retryDelaysMs: [50, 5000, 5000],
    })
    await bus.load()
    await bus.putEvents([entry(1), entry(2)])

    // Act
    const started = Date.now()
    const left = await bus.close(300)
    const took = Date.now() - started
    const next = new LocalBus({
      services: testServices,
      invoker: fakeInvoker(async () => undefined).invoker,
      dataDir,
    })
    await next.load()

    // Assess
    expect(left).toBe(1)
    expect(took).toBeLessThan(2000)
    expect(bus.deadLetters()).toEqual([])
    expect(next.deadLetters()).toEqual([])
    expect(next.resume()).toBe(1)
    await next.idle()
    expect(next.pending()).toBe(0)
    await next.close(100)
  })
})

describe('LocalBus fan-out', () => {
  it('runs at most maxConcurrentDeliveries tries at once, and delivers them all', async () => {
    // Prepare
    let running = 0
    let peak = 0
    const { invoker, calls } = fakeInvoker(async () => {
      peak = Math.max(peak, ++running)
      await new Promise((resolve) => setTimeout(resolve, 5))
      running--
    })
    const bus = new LocalBus({ services: testServices, invoker, maxConcurrentDeliveries: 3 })

    // Act
    for (let i = 0; i < 4; i++) await bus.putEvents([0, 1, 2, 3, 4].map((n) => entry(i * 5 + n)))
    await bus.idle()

    // Assess
    expect(peak).toBe(3)
    expect(calls.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })
})
