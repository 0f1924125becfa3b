/** Contacts to CSV (RFC 4180, spreadsheet-safe) and JSON lines, pure. */
import { IMPORT_COLUMNS } from '@relay/contracts/contact-jobs'
import type { Contact } from '@relay/contracts/contacts'

/** Byte order mark: tells Excel and Numbers the file is UTF-8. */
export const BOM = '\uFEFF'

/**
 * Export columns. After `id` come the import columns (lists `;`-separated), so an export can be
 * imported again as it is; the rest are read-only facts.
 */
export const EXPORT_COLUMNS = [
  'id',
  ...IMPORT_COLUMNS,
  'tier',
  'ownerId',
  'emailConsent',
  'createdAt',
  'updatedAt',
] as const

/**
 * One cell, RFC 4180: quoted when it holds a comma, quote, CR or LF (quotes doubled). A cell starting
 * with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so a spreadsheet shows it as text instead
 * of running it as a formula (CSV injection, OWASP).
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

const joined = (values: readonly string[]) => values.join(';')

/** A contact as the values of {@link EXPORT_COLUMNS}. */
export function exportValues(c: Contact): string[] {
  const primaryFirst = [...c.emails].sort((a, b) => Number(b.primary) - Number(a.primary))
  const emailConsent = (c.consent?.email as { status?: unknown } | undefined)?.status
  return [
    c.id,
    c.firstName ?? '',
    c.lastName ?? '',
    c.displayName,
    joined(primaryFirst.map((e) => e.address)),
    joined(c.phones.map((p) => (p.extension ? `${p.number} ext. ${p.extension}` : p.number))),
    c.companyName ?? '',
    c.jobTitle ?? '',
    joined(c.tags),
    c.lifecycleStage ?? '',
    c.source ?? '',
    c.channel ?? '',
    c.tier ?? '',
    c.ownerId,
    typeof emailConsent === 'string' ? emailConsent : '',
    c.createdAt,
    c.updatedAt,
  ]
}

/** The header line (CRLF-terminated, as RFC 4180 writes lines). */
export const csvHeader = (): string => `${EXPORT_COLUMNS.join(',')}\r\n`

/** A contact's CSV line, CRLF-terminated. */
export const csvLine = (c: Contact): string => `${exportValues(c).map(csvCell).join(',')}\r\n`

/** A contact's JSON line (the API's contact, LF-terminated). */
export const jsonLine = (c: Contact): string => `${JSON.stringify(c)}\n`
