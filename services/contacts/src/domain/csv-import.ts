/** CSV rows to contact inputs, pure. */
import { createHash } from 'node:crypto'
import { IMPORT_COLUMNS, IMPORT_LIMITS } from '@relay/contracts/contact-imports'
import { parse } from 'csv-parse/sync'
import type { ContactProblem } from './contact.js'

/** The CSV as header → value records, or the problem with it (field `csv`). */
export function parseCsv(csv: string): { rows: Record<string, string>[] } | { problem: ContactProblem } {
  let records: string[][]
  try {
    records = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true })
  } catch (err) {
    return { problem: { field: 'csv', code: 'invalid_csv', message: (err as Error).message.slice(0, 200) } }
  }
  const [header, ...data] = records
  if (!header) return { problem: { field: 'csv', code: 'empty', message: 'The CSV has no header row' } }
  const known = new Map(IMPORT_COLUMNS.map((c) => [c.toLowerCase(), c]))
  const columns = header.map((h) => known.get(h.toLowerCase()))
  const unknown = header.filter((_, i) => !columns[i])
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
