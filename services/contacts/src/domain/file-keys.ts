/**
 * Object keys of the contacts service's `files` bucket, pure. Every key carries the tenant (as in
 * the tables) so that an object names whose it is: `imports/<tenant>/<jobId>.csv` (uploads of
 * import jobs) and `exports/<tenant>/<jobId>.<csv|jsonl>` (files of export jobs). The tenant is
 * percent-encoded: a tenant id may hold any character but `#`, and a `/` in it must not read as
 * another folder.
 */

/** The logical bucket of the manifest. */
export const FILES_BUCKET = 'files'
export const IMPORTS_PREFIX = 'imports/'
export const EXPORTS_PREFIX = 'exports/'

/** Where the file of upload import job `jobId` goes. */
export function importObjectKey(tenantId: string, jobId: string): string {
  return `${IMPORTS_PREFIX}${encodeURIComponent(tenantId)}/${jobId}.csv`
}

/** Where export job `jobId` writes its file. */
export function exportObjectKey(tenantId: string, jobId: string, format: 'csv' | 'jsonl'): string {
  return `${EXPORTS_PREFIX}${encodeURIComponent(tenantId)}/${jobId}.${format}`
}

/** The tenant and job of an import upload key, or undefined for any other key. */
export function parseImportObjectKey(key: string): { tenantId: string; jobId: string } | undefined {
  const m = /^imports\/([^/]+)\/([0-9A-HJKMNP-TV-Z]{26})\.csv$/.exec(key)
  if (!m) return undefined
  try {
    const tenantId = decodeURIComponent(m[1]!)
    return tenantId && !tenantId.includes('#') ? { tenantId, jobId: m[2]! } : undefined
  } catch {
    return undefined
  }
}

/** An object key as S3 event notifications carry it (form-URL-encoded: `+` is a space). */
export function decodeEventKey(key: string): string | undefined {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}
