/**
 * Contacts figures for `npm run bench`: search latency at 100 000 contacts in one tenant (seeded
 * straight into DynamoDB with the store's own item builders), and CSV import throughput and peak
 * memory for 100 000 rows through the API (chunked job, see services/contacts/README.md).
 */
import { IMPORT_LIMITS } from '@relay/contracts/contact-imports'
import type { LocalRuntime } from '@relay/local/runtime'
import { buildContact } from '../../services/contacts/src/domain/contact.js'
import { indexItems } from '../../services/contacts/src/store/contact-index.js'
import { toItem } from '../../services/contacts/src/store/contacts.js'
import { type Call, seedTable } from './seed.js'
import { fmtMs, percentile } from './stats.js'

export interface BenchContactsOptions {
  /** Contacts seeded for the search figure (default 100 000). */
  searchContacts?: number
  /** Rows of the imported CSV (default 100 000). */
  importRows?: number
  /** Search samples (default 200). */
  samples?: number
  /** Progress lines go here (default: nowhere). */
  progress?: (line: string) => void
}

const FIRST = ['Anna', 'Bartosz', 'Chloé', 'Dafydd', 'Emeka', 'Fatima', 'Grace', 'Hiroshi', 'Ines', 'João']
const LAST = ['Nowak', 'Jones', 'Okafor', 'Müller', 'Srisuk', 'García', 'Kim', 'Dubois', 'Rossi', 'Silva']

/** Seeds `count` contacts of `tenantId` straight into the contacts table (contact, tokens, guards). */
async function seedContacts(
  runtime: LocalRuntime,
  tenantId: string,
  count: number,
  onProgress?: (line: string) => void,
): Promise<number> {
  const now = new Date().toISOString()
  return seedTable(
    runtime,
    'contacts',
    count,
    (i) => {
      const contact = buildContact(
        {
          firstName: `${FIRST[i % FIRST.length]}${i}`,
          lastName: LAST[Math.floor(i / FIRST.length) % LAST.length] ?? 'Nowak',
          emails: [{ address: `seed${i}@bench.example` }],
          tags: ['seed'],
        },
        { id: `01JSEED${String(i).padStart(19, '0')}`, ownerId: 'u-bench', now, region: 'GB' },
      )
      // What search and uniqueness read (contact, tokens, email guards); owner, stage and duplicate
      // match items only serve other filters and would double the seeding time.
      const index = indexItems(tenantId, contact).filter((x) => x.kind === 'token' || x.kind === 'email')
      return [toItem(tenantId, contact), ...index]
    },
    (done) => onProgress?.(`seeded ${done}/${count} contacts`),
  )
}

/** Peak RSS of this process while `work` runs, sampled every 100 ms (and the kernel's maxRSS). */
async function withPeakRss<T>(work: () => Promise<T>): Promise<[T, number]> {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 100)
  try {
    const value = await work()
    return [value, Math.max(peak, process.memoryUsage().rss)]
  } finally {
    clearInterval(timer)
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`

/**
 * Runs the contacts figures and returns printable lines. `call` must carry a token of the tenant
 * `bench` with a role that may import (admin).
 */
export async function benchContacts(
  runtime: LocalRuntime,
  call: Call,
  options: BenchContactsOptions = {},
): Promise<string[]> {
  const searchCount = options.searchContacts ?? 100_000
  const importRows = options.importRows ?? 100_000
  const samples = options.samples ?? 200
  const progress = options.progress ?? (() => {})
  const lines: string[] = []

  // 1. Import throughput and peak memory for an `importRows`-row CSV through the API. First: seeding
  // writes straight to the table, and the table's stream would carry all of it ahead of the job's events.
  const csv = ['\uFEFFfirstName,lastName,email,phone,tags']
  for (let i = 0; i < importRows; i++) {
    csv.push(
      `${FIRST[i % FIRST.length]},${LAST[i % LAST.length]} ${i},imp${i}@bench.example,+4420${String(7946_0000 + (i % 10_000_000)).padStart(8, '0')},imported;bench`,
    )
  }
  const body = { csv: csv.join('\r\n') }
  // Over the inline limit (5 MB) the file goes the way a client sends it: a presigned PUT to S3.
  const inline = Buffer.byteLength(JSON.stringify(body)) <= IMPORT_LIMITS.bodyBytes
  const rssBefore = process.memoryUsage().rss
  const [result, peak] = await withPeakRss(async () => {
    const t = performance.now()
    const { json, res } = await call('POST', '/contacts/imports', inline ? body : { upload: true })
    if (!inline) {
      const put = await fetch(json.upload.url, {
        method: 'PUT',
        headers: json.upload.headers,
        body: body.csv,
      })
      if (!put.ok) throw new Error(`upload failed: ${put.status} ${await put.text()}`)
    }
    const acceptedMs = performance.now() - t
    const location = res.headers.get('location') ?? `/contacts/imports/${json.id}`
    let job = json
    let lastNote = 0
    while (job.status !== 'completed' && job.status !== 'failed') {
      await new Promise((r) => setTimeout(r, 500))
      job = (await call('GET', location)).json
      if (performance.now() - lastNote > 10_000) {
        lastNote = performance.now()
        progress(`import: ${job.processed}/${job.total} rows`)
      }
    }
    return { job, acceptedMs, totalMs: performance.now() - t }
  })
  const { job, acceptedMs, totalMs } = result
  lines.push(
    `CSV import of ${importRows} rows (${mb(Buffer.byteLength(body.csv))} CSV, ${inline ? 'inline' : 'uploaded to S3'}): accepted in ${fmtMs(acceptedMs)}, ` +
      `${job.status} in ${(totalMs / 1000).toFixed(1)} s = ${Math.round(importRows / (totalMs / 1000))} rows/s ` +
      `(created ${job.created}, updated ${job.updated}, skipped ${job.skipped}, failed ${job.failed})`,
  )
  lines.push(
    `Import peak memory (this process: gateway + handlers in-process): RSS ${mb(rssBefore)} before, peak ${mb(peak)} sampled, ` +
      `maxRSS ${mb(process.resourceUsage().maxRSS * 1024)} since start`,
  )
  // 2. Search latency at `searchCount` contacts in one tenant.
  const seedMs = await seedContacts(runtime, 'bench', Math.max(0, searchCount - importRows), progress)
  progress(`seeded ${searchCount} contacts in ${(seedMs / 1000).toFixed(1)} s`)
  const prefixes = ['an', 'bart', 'chlo', 'emek', 'fati', 'hiro', 'joao', 'nowak', 'mull', 'seed12', 'garc']
  const times: number[] = []
  let hits = 0
  for (let i = 0; i < samples + 10; i++) {
    const q = prefixes[i % prefixes.length] ?? 'an'
    const t = performance.now()
    const { json } = await call('GET', `/contacts?q=${encodeURIComponent(q)}&limit=25`)
    if (i >= 10) times.push(performance.now() - t)
    hits += json.items.length
  }
  lines.push(
    `Search GET /contacts?q=<prefix>&limit=25 at ${searchCount} contacts in one tenant (${importRows} imported + the rest seeded in ${(seedMs / 1000).toFixed(1)} s), n=${samples}: ` +
      `p50 ${fmtMs(percentile(times, 50))}, p99 ${fmtMs(percentile(times, 99))} (avg ${(hits / (samples + 10)).toFixed(1)} hits a page)`,
  )

  return lines
}
