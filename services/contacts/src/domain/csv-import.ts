/**
 * CSV rows to contact inputs, pure. One set of rules for both ways a file arrives: inline in the
 * request ({@link parseCsv}, the whole text at once) and uploaded to S3 ({@link importCsvStream},
 * record by record from a byte stream, chunks handed out as they fill). Both use the same parser
 * options, header mapping, row shape, row limit and chunking.
 */
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ImportJob } from '@relay/contracts/contact-imports'
import { IMPORT_COLUMNS, IMPORT_LIMITS } from '@relay/contracts/contact-jobs'
import {
  CONTACT_LIMITS,
  type Contact,
  type CreateContact,
  type UpdateContact,
} from '@relay/contracts/contacts'
import { CsvError, parse as parseStream } from 'csv-parse'
import { parse } from 'csv-parse/sync'
import { type ContactProblem, normalisePhones } from './contact.js'

/** A column an import understands. */
export type ImportColumn = (typeof IMPORT_COLUMNS)[number]

/** A file header → an import column, or `null` to ignore the column. */
export type ImportMapping = Readonly<Record<string, ImportColumn | null>>

/** The import column of each header cell (`undefined`: the column is ignored). */
export type ImportColumns = readonly (ImportColumn | undefined)[]

/**
 * csv-parse options of both paths: BOM dropped, empty lines skipped, ragged rows accepted, cells
 * trimmed. A record over 100 000 characters is refused (an unterminated quote would otherwise
 * swallow the rest of the file into one record), which also keeps every row inside a chunk item.
 */
const PARSE_OPTIONS = {
  bom: true,
  skip_empty_lines: true,
  relax_column_count: true,
  trim: true,
  max_record_size: 100_000,
} as const

/** Chunks stay under DynamoDB's 400 KB item limit with room for the key and the TTL. */
export const CHUNK_BYTES = 300_000

const invalidCsv = (err: Error): ContactProblem => ({
  field: 'csv',
  code: 'invalid_csv',
  message: err.message.slice(0, 200),
})
const EMPTY: ContactProblem = { field: 'csv', code: 'empty', message: 'The CSV has no header row' }
const tooManyRows = (max: number): ContactProblem => ({
  field: 'csv',
  code: 'too_many_rows',
  message: `At most ${max} rows`,
})

/**
 * The import column of each header cell, or the problem with the header (field `csv`) or the
 * mapping (`mapping.<header>`). `mapping` names the import column of a file header (`null` ignores
 * the column); other headers must be import columns themselves, in any case.
 */
export function headerColumns(
  header: readonly string[],
  mapping: ImportMapping = {},
): { columns: ImportColumns } | { problem: ContactProblem } {
  const known = new Map<string, ImportColumn>(IMPORT_COLUMNS.map((c) => [c.toLowerCase(), c]))
  const mapped = new Map(Object.entries(mapping).map(([h, c]) => [h.trim().toLowerCase(), c]))
  for (const h of mapped.keys()) {
    if (!header.some((x) => x.toLowerCase() === h)) {
      return {
        problem: { field: `mapping.${h}`, code: 'unknown_header', message: 'No such column in the CSV' },
      }
    }
  }
  const columns = header.map((h) => {
    const m = mapped.get(h.toLowerCase())
    return m === undefined ? known.get(h.toLowerCase()) : (m ?? undefined)
  })
  const unknown = header.filter((h, i) => !columns[i] && mapped.get(h.toLowerCase()) !== null)
  if (unknown.length) {
    return {
      problem: {
        field: 'csv',
        code: 'unknown_columns',
        message: `Unknown columns: ${unknown.join(', ')}. Known: ${IMPORT_COLUMNS.join(', ')}`,
      },
    }
  }
  return { columns }
}

/** One data record as an import row: import column → its non-empty cell. */
export function recordToRow(cells: readonly string[], columns: ImportColumns): Record<string, string> {
  const row: Record<string, string> = {}
  columns.forEach((c, i) => {
    const v = cells[i]
    if (c && v) row[c] = v
  })
  return row
}

/**
 * The CSV (UTF-8, with or without BOM) as import column → value records, or the problem with it
 * (field `csv`, or `mapping.<header>`); see {@link headerColumns}.
 */
export function parseCsv(
  csv: string,
  mapping: ImportMapping = {},
): { rows: Record<string, string>[] } | { problem: ContactProblem } {
  let records: string[][]
  try {
    records = parse(csv, PARSE_OPTIONS)
  } catch (err) {
    return { problem: invalidCsv(err as Error) }
  }
  const [header, ...data] = records
  if (!header) return { problem: EMPTY }
  const resolved = headerColumns(header, mapping)
  if ('problem' in resolved) return resolved
  if (data.length > IMPORT_LIMITS.rows) return { problem: tooManyRows(IMPORT_LIMITS.rows) }
  return { rows: data.map((cells) => recordToRow(cells, resolved.columns)) }
}

export interface CsvStreamOptions {
  mapping?: ImportMapping
  /** Default {@link IMPORT_LIMITS}.rows. */
  maxRows?: number
  /** Default {@link IMPORT_LIMITS}.chunkRows. */
  chunkRows?: number
  /** Default {@link CHUNK_BYTES}. */
  chunkBytes?: number
  /** Takes each chunk as soon as it is full (and the last one); the stream waits meanwhile. */
  onChunk(rows: Record<string, string>[], index: number): Promise<void>
}

/**
 * Reads a CSV byte stream (UTF-8, BOM or not) record by record with the rules of {@link parseCsv},
 * and hands its rows to `onChunk` in chunks as they fill, so memory holds one chunk and the
 * parser's buffer, never the file. Resolves with the counts, or with the problem of the file (the
 * header, the mapping, invalid CSV, more than `maxRows` rows: reading stops there; chunks already
 * handed out are the caller's to drop). An error of the source itself (a broken connection) rejects.
 *
 * @example
 * const out = await importCsvStream(body, { mapping, onChunk: (rows, n) => saveChunk(n, rows) })
 */
export async function importCsvStream(
  source: Readable,
  options: CsvStreamOptions,
): Promise<{ rows: number; chunks: number } | { problem: ContactProblem }> {
  const maxRows = options.maxRows ?? IMPORT_LIMITS.rows
  const parser = parseStream(PARSE_OPTIONS)
  // Errors surface through the parser's iterator; this keeps the pipeline's own rejection handled.
  const feeding = pipeline(source, parser).catch(() => {})
  const chunks = new ChunkBuilder<Record<string, string>>(
    options.chunkRows ?? IMPORT_LIMITS.chunkRows,
    options.chunkBytes ?? CHUNK_BYTES,
  )
  let columns: ImportColumns | undefined
  let rows = 0
  let index = 0
  const stop = (problem: ContactProblem) => {
    source.destroy()
    parser.destroy()
    return { problem }
  }
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!columns) {
        const resolved = headerColumns(cells, options.mapping)
        if ('problem' in resolved) return stop(resolved.problem)
        columns = resolved.columns
        continue
      }
      if (++rows > maxRows) return stop(tooManyRows(maxRows))
      const full = chunks.add(recordToRow(cells, columns))
      if (full) await options.onChunk(full, index++)
    }
  } catch (err) {
    if (err instanceof CsvError) return stop(invalidCsv(err))
    throw err
  } finally {
    await feeding
  }
  if (!columns) return { problem: EMPTY }
  const last = chunks.flush()
  if (last) await options.onChunk(last, index++)
  return { rows, chunks: index }
}

/**
 * Gathers rows into chunks of at most `maxRows` rows and about `maxBytes` of JSON each, one row at
 * a time: `add` returns the chunk a row did not fit into, `flush` the rest.
 */
export class ChunkBuilder<T> {
  private current: T[] = []
  private bytes = 0

  constructor(
    private readonly maxRows: number,
    private readonly maxBytes: number = CHUNK_BYTES,
  ) {}

  add(row: T): T[] | undefined {
    const size = Buffer.byteLength(JSON.stringify(row)) + 1
    let full: T[] | undefined
    if (this.current.length && (this.current.length >= this.maxRows || this.bytes + size > this.maxBytes)) {
      full = this.current
      this.current = []
      this.bytes = 0
    }
    this.current.push(row)
    this.bytes += size
    return full
  }

  flush(): T[] | undefined {
    const rest = this.current.length ? this.current : undefined
    this.current = []
    this.bytes = 0
    return rest
  }
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)

/** Import columns copied to the contact as they are (`channel` only on create: an upsert keeps it). */
const TEXT_FIELDS = [
  'firstName',
  'lastName',
  'displayName',
  'companyName',
  'jobTitle',
  'lifecycleStage',
  'source',
] as const

/** A row as a POST /contacts body (still to be validated by the contract). */
export function rowToInput(row: Record<string, string>, defaultRegion?: string): Record<string, unknown> {
  const emails = list(row.email).map((address) => ({ address }))
  const phones = list(row.phone).map((number) => ({ number }))
  const tags = list(row.tags)
  const input: Record<string, unknown> = { channel: 'import' }
  for (const key of [...TEXT_FIELDS, 'channel'] as const) {
    if (row[key]) input[key] = row[key]
  }
  if (emails.length) input.emails = emails
  if (phones.length) input.phones = phones
  if (tags.length) input.tags = tags
  if (defaultRegion) input.defaultRegion = defaultRegion
  return input
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/**
 * The contact id of a job's row: the job's time part and 80 bits of a hash of (job, row), so a
 * retried import creates the same ids (and a second attempt finds the rows already there).
 */
export function importRowId(jobId: string, row: number): string {
  const hash = createHash('sha256').update(`${jobId}:${row}`).digest()
  let out = ''
  for (let i = 0; i < 16; i++) out += CROCKFORD[(hash[i] ?? 0) % 32]
  return `${jobId.slice(0, 10)}${out}`
}

/**
 * Rows in chunks of at most `maxRows` rows and about `maxBytes` of JSON each, so each chunk fits one
 * DynamoDB item (400 KB) and one invocation's work is bounded.
 */
export function chunkRows<T>(rows: readonly T[], maxRows: number, maxBytes = CHUNK_BYTES): T[][] {
  const builder = new ChunkBuilder<T>(maxRows, maxBytes)
  const chunks: T[][] = []
  for (const row of rows) {
    const full = builder.add(row)
    if (full) chunks.push(full)
  }
  const last = builder.flush()
  if (last) chunks.push(last)
  return chunks
}

/**
 * Upsert by email: what an imported row changes on the contact that already has its email. Fields
 * the row gives replace the contact's; emails, phones and tags are added to the contact's (the
 * primary email stays, up to the contract's limits). Undefined when the row changes nothing given.
 */
export function importPatch(
  current: Contact,
  row: CreateContact,
  region?: string,
): UpdateContact | undefined {
  const patch: Record<string, unknown> = {}
  for (const key of TEXT_FIELDS) {
    const v = row[key]
    if (v !== undefined && v !== null && v !== current[key]) patch[key] = v
  }
  const haveEmails = new Set(current.emails.map((e) => e.address.toLowerCase()))
  const newEmails = (row.emails ?? []).filter((e) => !haveEmails.has(e.address.trim().toLowerCase()))
  if (newEmails.length) {
    patch.emails = [
      ...current.emails.map((e) => ({
        address: e.address,
        primary: e.primary,
        ...(e.label ? { label: e.label } : {}),
      })),
      ...newEmails.map((e) => ({ address: e.address })),
    ].slice(0, CONTACT_LIMITS.emails)
  }
  const havePhones = new Set(current.phones.map((p) => p.number))
  const normalised = normalisePhones(row.phones ?? [], region)
  const newPhones = (row.phones ?? []).filter((_, i) => !havePhones.has(normalised[i]?.number ?? ''))
  if (newPhones.length) {
    patch.phones = [
      ...current.phones.map((p) => ({
        number: p.number,
        ...(p.extension ? { extension: p.extension } : {}),
        ...(p.label ? { label: p.label } : {}),
      })),
      ...newPhones,
    ].slice(0, CONTACT_LIMITS.phones)
  }
  const newTags = (row.tags ?? []).filter((t) => !current.tags.includes(t))
  if (newTags.length) patch.tags = [...current.tags, ...newTags].slice(0, CONTACT_LIMITS.tags)
  return Object.keys(patch).length ? (patch as UpdateContact) : undefined
}

/** A new import job: nothing counted yet; `awaiting_upload` until its file is in S3, else `queued`. */
export function newImportJob(a: {
  id: string
  upload: boolean
  createdBy: string
  now: string
  fileName?: string
  total?: number
}): ImportJob {
  return {
    id: a.id,
    status: a.upload ? 'awaiting_upload' : 'queued',
    total: a.total ?? 0,
    processed: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    failed: 0,
    errors: [],
    ...(a.fileName ? { fileName: a.fileName } : {}),
    createdBy: a.createdBy,
    createdAt: a.now,
    updatedAt: a.now,
  }
}
