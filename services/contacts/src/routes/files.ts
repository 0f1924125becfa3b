/** Routes: bulk work on files: CSV imports, CSV/JSON-lines exports (inline and as jobs). */
import { ExportIdParams, ExportJob, StartExport } from '@relay/contracts/contact-exports'
import {
  IMPORT_LIMITS,
  ImportIdParams,
  ImportJob,
  StartedImport,
  StartImport,
} from '@relay/contracts/contact-imports'
import { ExportContactsQuery } from '@relay/contracts/contacts'
import { ANY_ROLE, type Role, route } from '@relay/core/manifest'

/** Bulk imports create many contacts at once: managers, admins and marketing (list uploads). */
export const IMPORT_ROLES: readonly Role[] = ['admin', 'manager', 'marketing']

export const startImport = /* @__PURE__ */ route({
  method: 'POST',
  path: '/contacts/imports',
  function: 'start-import',
  roles: IMPORT_ROLES,
  summary:
    'Start a CSV import: inline (csv, ≤ 5 MB) or upload: true for a presigned PUT to S3 (≤ 50 MB); ≤ 100 000 rows',
  body: StartImport,
  // Inline CSV travels in the body: Lambda's 6 MB request payload, less the event around it.
  maxBodyBytes: IMPORT_LIMITS.bodyBytes,
  example: {
    csv: 'First name,lastName,phone,Notes\nสมชาย,ใจดี,081 234 5678,x\n',
    defaultRegion: 'TH',
    mapping: { 'First name': 'firstName', Notes: null },
  },
  response: { status: 201, schema: StartedImport },
})

export const getImport = /* @__PURE__ */ route({
  method: 'GET',
  path: '/contacts/imports/{id}',
  function: 'get-import',
  roles: IMPORT_ROLES,
  params: ImportIdParams,
  summary: 'An import job: status, counts, rows not imported',
  response: { status: 200, schema: ImportJob },
})

export const exportContacts = /* @__PURE__ */ route({
  method: 'GET',
  path: '/contacts/export',
  function: 'export-contacts',
  roles: ANY_ROLE,
  summary:
    'Export the filtered contacts as CSV (UTF-8 with BOM) or JSON lines; x-next-cursor continues past 10 000 rows',
  query: ExportContactsQuery,
  response: { status: 200 },
})

export const startExport = /* @__PURE__ */ route({
  method: 'POST',
  path: '/contacts/exports',
  function: 'start-export',
  roles: ANY_ROLE,
  summary: 'Start an export job: the whole filtered set as one CSV or JSON lines file, any size',
  body: StartExport,
  example: { format: 'csv', filters: { lifecycleStage: 'lead' } },
  response: { status: 201, schema: ExportJob },
})

export const getExport = /* @__PURE__ */ route({
  method: 'GET',
  path: '/contacts/exports/{id}',
  function: 'get-export',
  roles: ANY_ROLE,
  params: ExportIdParams,
  summary: 'An export job: status, rows, bytes; once completed a download link (presigned, 1 hour)',
  response: { status: 200, schema: ExportJob },
})

export const fileRoutes = [startImport, getImport, exportContacts, startExport, getExport] as const
