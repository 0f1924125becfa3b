/** CSV rows to contact inputs, pure. */
import { createHash } from 'node:crypto'
import { IMPORT_COLUMNS, IMPORT_LIMITS } from '@relay/contracts/contact-imports'
import {
  CONTACT_LIMITS,
  type Contact,
  type CreateContact,
  type UpdateContact,
} from '@relay/contracts/contacts'
import { parse } from 'csv-parse/sync'
import { type ContactProblem, normalisePhones } from './contact.js'

/** A column an import understands. */
export type ImportColumn = (typeof IMPORT_COLUMNS)[number]

/**
 * The CSV (UTF-8, with or without BOM) as import column → value records, or the problem with it
 * (field `csv`, or `mapping.<header>`). `mapping` names the import column of a file header (`null`
 * ignores the column); other headers must be import columns themselves, in any case.
 */
export function parseCsv(
  csv: string,
  mapping: Readonly<Record<string, ImportColumn | null>> = {},
): { rows: Record<string, string>[] } | { problem: ContactProblem } {
  let records: string[][]
  try {
    records = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true })
  } catch (err) {
    return { problem: { field: 'csv', code: 'invalid_csv', message: (err as Error).message.slice(0, 200) } }
  }
  const [header, ...data] = records
  if (!header) return { problem: { field: 'csv', code: 'empty', message: 'The CSV has no header row' } }
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
    return m === undefined ? known.get(h.toLowerCase()) : m
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
  if (data.length > IMPORT_LIMITS.rows) {
    return { problem: { field: 'csv', code: 'too_many_rows', message: `At most ${IMPORT_LIMITS.rows} rows` } }
  }
  return {
    rows: data.map((cells) => {
      const row: Record<string, string> = {}
      columns.forEach((c, i) => {
        const v = cells[i]
        if (c && v) row[c] = v
      })
      return row
    }),
  }
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)

/** A row as a POST /contacts body (still to be validated by the contract). */
export function rowToInput(row: Record<string, string>, defaultRegion?: string): Record<string, unknown> {
  const emails = list(row.email).map((address) => ({ address }))
  const phones = list(row.phone).map((number) => ({ number }))
  const tags = list(row.tags)
  const input: Record<string, unknown> = { channel: 'import' }
  for (const key of [
    'firstName',
    'lastName',
    'displayName',
    'companyName',
    'jobTitle',
    'lifecycleStage',
    'source',
    'channel',
  ]) {
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
export function chunkRows<T>(rows: readonly T[], maxRows: number, maxBytes = 300_000): T[][] {
  const chunks: T[][] = []
  let current: T[] = []
  let bytes = 0
  for (const row of rows) {
    const size = Buffer.byteLength(JSON.stringify(row)) + 1
    if (current.length && (current.length >= maxRows || bytes + size > maxBytes)) {
      chunks.push(current)
      current = []
      bytes = 0
    }
    current.push(row)
    bytes += size
  }
  if (current.length) chunks.push(current)
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
  for (const key of [
    'firstName',
    'lastName',
    'displayName',
    'companyName',
    'jobTitle',
    'lifecycleStage',
    'source',
  ] as const) {
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
