import { EXPORT_LIMITS } from '@relay/contracts/contacts'
import { Invalid } from '@relay/core/outcomes'
import { BOM, csvHeader, csvLine, jsonLine } from '../domain/csv-export.js'
import { BUCKET_CHARS, drivingToken, queryTokens } from '../domain/search.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/files.js'
import { searchContacts } from '../store/search.js'

const PAGE = 100
/** Search calls (each ≤ 5 queries) per answer: a rare filter over a huge tenant stops here with a cursor. */
const MAX_PAGES = 200
/** Stop paging after this long (the function's timeout is 29 s, API Gateway's too). */
const TIME_BUDGET_MS = 20_000

/**
 * GET /contacts/export?format=csv|jsonl&<the filters of GET /contacts>&cursor= → the matching contacts
 * as CSV (UTF-8 with BOM, RFC 4180, formula cells neutralised) or JSON lines. One answer holds at most
 * {@link EXPORT_LIMITS} (10 000 rows or ~4.5 MB, under Lambda's 6 MB response limit) and 200 pages or
 * 20 s of reading (a rare filter may answer few rows); when more remain,
 * `x-next-cursor` and `Link: <…&cursor=…>; rel="next"` name the rest. The cursor's answer has the
 * CSV header too, so each part opens on its own.
 */
export const handler = httpNonPost(routes.exportContacts, async ({ query, caller }) => {
  if (query.q !== undefined && [...(drivingToken(queryTokens(query.q)) ?? '')].length < BUCKET_CHARS) {
    throw new Invalid([
      {
        field: 'query.q',
        code: 'too_short',
        message: `Give at least one word of ${BUCKET_CHARS} or more letters or digits`,
      },
    ])
  }
  const { format = 'csv', cursor: start, ...filters } = query
  const csv = format === 'csv'
  const parts: string[] = [csv ? `${BOM}${csvHeader()}` : '']
  let bytes = 0
  let rows = 0
  let cursor = start
  let pages = 0
  const deadline = Date.now() + TIME_BUDGET_MS
  do {
    pages++
    const page = await searchContacts(caller.tenantId, {
      ...filters,
      limit: Math.min(PAGE, EXPORT_LIMITS.rows - rows),
      ...(cursor ? { cursor } : {}),
    })
    for (const c of page.items) {
      const line = csv ? csvLine(c) : jsonLine(c)
      parts.push(line)
      bytes += Buffer.byteLength(line)
    }
    rows += page.items.length
    cursor = page.nextCursor
  } while (
    cursor &&
    rows < EXPORT_LIMITS.rows &&
    bytes < EXPORT_LIMITS.bytes &&
    pages < MAX_PAGES &&
    Date.now() < deadline
  )
  const headers: Record<string, string> = { 'x-export-rows': String(rows) }
  if (cursor) {
    const next = new URLSearchParams()
    for (const [k, v] of Object.entries({ ...filters, format })) if (v !== undefined) next.set(k, String(v))
    next.set('cursor', cursor)
    headers['x-next-cursor'] = cursor
    headers.link = `</contacts/export?${next.toString()}>; rel="next"`
  }
  return {
    status: 200,
    headers,
    raw: csv
      ? { body: parts.join(''), contentType: 'text/csv; charset=utf-8', filename: 'contacts.csv' }
      : {
          body: parts.join(''),
          contentType: 'application/x-ndjson; charset=utf-8',
          filename: 'contacts.jsonl',
        },
  }
})
