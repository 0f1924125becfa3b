import { CONTACTS_EVENTS } from '@relay/contracts/contacts-events'
import { published } from '@relay/contracts/event-contract'
import { defineService } from '@relay/core/manifest'
import { companyRoutes } from './routes/companies.js'
import { contactRoutes } from './routes/contacts.js'
import { fileRoutes } from './routes/files.js'
import { settingsRoutes } from './routes/settings.js'
import { timelineRoutes } from './routes/timeline.js'
import { subscriptions } from './subscriptions.js'

/** contacts: the people a tenant does business with. Source of truth for contact data. */
export const manifest = defineService({
  name: 'contacts',
  source: 'crm.contacts',
  tables: {
    main: {
      partitionKey: 'pk',
      sortKey: 'sk',
      // gsi1: a tenant's contacts newest first (gsi1pk T#<t>#CONTACTS, gsi1sk T#<t>#CONTACT#<ulid>).
      gsis: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
      ttl: 'ttl',
      outbox: true,
    },
  },
  functions: {
    'create-contact': { entry: 'handlers/create-contact.ts', tables: { main: 'write' } },
    'get-contact': { entry: 'handlers/get-contact.ts', tables: { main: 'read' } },
    'update-contact': { entry: 'handlers/update-contact.ts', tables: { main: 'write' } },
    'delete-contact': { entry: 'handlers/delete-contact.ts', tables: { main: 'write' } },
    'list-contacts': { entry: 'handlers/list-contacts.ts', tables: { main: 'read' } },
    'create-company': { entry: 'handlers/create-company.ts', tables: { main: 'write' } },
    'get-company': { entry: 'handlers/get-company.ts', tables: { main: 'read' } },
    'list-companies': { entry: 'handlers/list-companies.ts', tables: { main: 'read' } },
    'update-company': { entry: 'handlers/update-company.ts', tables: { main: 'write' } },
    'delete-company': { entry: 'handlers/delete-company.ts', tables: { main: 'write' } },
    'list-company-contacts': { entry: 'handlers/list-company-contacts.ts', tables: { main: 'read' } },
    'get-contact-fields': { entry: 'handlers/get-contact-fields.ts', tables: { main: 'read' } },
    'put-contact-fields': { entry: 'handlers/put-contact-fields.ts', tables: { main: 'write' } },
    'log-interaction': { entry: 'handlers/log-interaction.ts', tables: { main: 'write' } },
    'get-interaction': { entry: 'handlers/get-interaction.ts', tables: { main: 'read' } },
    'get-timeline': { entry: 'handlers/get-timeline.ts', tables: { main: 'read' } },
    'record-consent': { entry: 'handlers/record-consent.ts', tables: { main: 'write' } },
    'list-duplicates': { entry: 'handlers/list-duplicates.ts', tables: { main: 'read' } },
    'merge-contacts': { entry: 'handlers/merge-contacts.ts', tables: { main: 'write' } },
    'export-contact': { entry: 'handlers/export-contact.ts', tables: { main: 'read' } },
    // Up to 10 000 contacts read and rendered per answer.
    'export-contacts': {
      entry: 'handlers/export-contacts.ts',
      tables: { main: 'read' },
      timeoutSeconds: 29,
      memoryMb: 1024,
    },
    // Presigns the PUT of `{ upload: true }` imports.
    'start-import': {
      entry: 'handlers/start-import.ts',
      tables: { main: 'write' },
      buckets: { files: 'write' },
      sendsTo: ['import-chunks'],
    },
    'get-import': { entry: 'handlers/get-import.ts', tables: { main: 'read' } },
    // Reads an uploaded CSV (≤ 50 MB) as a stream into chunk items, then deletes it.
    'on-import-uploaded': {
      entry: 'handlers/on-import-uploaded.ts',
      tables: { main: 'write' },
      buckets: { files: 'readwrite' },
      timeoutSeconds: 300,
      memoryMb: 1024,
      sendsTo: ['import-chunks'],
    },
    'start-export': {
      entry: 'handlers/start-export.ts',
      tables: { main: 'write' },
      sendsTo: ['export-runs'],
    },
    // Presigns the GET of a finished export's file.
    'get-export': { entry: 'handlers/get-export.ts', tables: { main: 'read' }, buckets: { files: 'read' } },
    // The whole filtered set into one S3 object (multipart upload); gives up after 14 minutes.
    'run-export': {
      entry: 'handlers/run-export.ts',
      tables: { main: 'write' },
      buckets: { files: 'write' },
      timeoutSeconds: 900,
      memoryMb: 1024,
    },
    'on-email-unsubscribed': { entry: 'handlers/on-email-unsubscribed.ts', tables: { main: 'write' } },
    // One chunk (≤ 500 rows, 8 at a time) per message; a few seconds each. It asks for the next.
    'run-import': {
      entry: 'handlers/run-import.ts',
      tables: { main: 'write' },
      timeoutSeconds: 300,
      memoryMb: 512,
      sendsTo: ['import-chunks'],
    },
    // Other services' events: Lead.Converted creates the contact; deals, tickets, campaign emails
    // become timeline entries.
    'on-lead-converted': { entry: 'handlers/on-lead-converted.ts', tables: { main: 'write' } },
    // An entry whose contact is not there (yet) is parked on `parked-activity`, never dead-lettered.
    'on-related-activity': {
      entry: 'handlers/on-related-activity.ts',
      tables: { main: 'write' },
      sendsTo: ['parked-activity'],
    },
    'retry-parked-activity': {
      entry: 'handlers/retry-parked-activity.ts',
      tables: { main: 'write' },
      sendsTo: ['parked-activity'],
    },
  },
  routes: [...contactRoutes, ...timelineRoutes, ...companyRoutes, ...settingsRoutes, ...fileRoutes],
  subscriptions: [...subscriptions],
  schedules: [],
  // Files in transit (import uploads, export results): kept a week at most.
  buckets: { files: { expireAfterDays: 7 } },
  objectTriggers: [
    { name: 'import-uploaded', bucket: 'files', prefix: 'imports/', function: 'on-import-uploaded' },
  ],
  queues: {
    'import-chunks': {
      consumer: 'run-import',
      // One chunk is ≤ 300 s (the function's timeout); a crashed chunk is taken up again after this.
      visibilityTimeoutSeconds: 330,
      // Chunks of one job run one after another (each asks for the next); jobs run side by side.
      maxConcurrency: 5,
      batchSize: 1,
      description: 'Import chunks: { tenantId, jobId, chunk }, one after another per job',
    },
    'export-runs': {
      consumer: 'run-export',
      // A run has 14 minutes (function timeout 15): after that the message may be taken up again.
      visibilityTimeoutSeconds: 960,
      // run-export fails the job on its third run, before SQS would dead-letter the message.
      maxReceiveCount: 5,
      batchSize: 1,
      description: 'Export jobs to write: { tenantId, jobId }',
    },
    'parked-activity': {
      consumer: 'retry-parked-activity',
      // Every message re-parks itself with a new delay or ends: a receive is never retried for long.
      visibilityTimeoutSeconds: 60,
      batchSize: 10,
      description: 'Timeline entries waiting for their contact (see README, Parking)',
    },
  },
  // Business events only: import chunks and export runs go through the work queues.
  publishes: CONTACTS_EVENTS.map(published),
})
