/**
 * Which events each change of this service emits, pure: the store commits what these return with
 * the change itself (one transaction, through the outbox), so no write path can forget or invent
 * an event. Each function is one row of the README's *Events* table.
 */
import type { Company } from '@relay/contracts/companies'
import { COMPANY_EVENT } from '@relay/contracts/companies'
import type { ExportJob } from '@relay/contracts/contact-exports'
import { EXPORT_JOB_EVENT } from '@relay/contracts/contact-jobs'
import { CONTACT_EVENT, type ConsentRecord, type Contact } from '@relay/contracts/contacts'
import { INTERACTION_EVENT, type Interaction } from '@relay/contracts/interactions'
import type { ContactChanges, FieldChange } from './contact.js'

/** An event a change emits: its `detail-type` and `data` (the store adds the envelope). */
export interface Emitted<D = unknown> {
  detailType: string
  data: D
}

export const contactCreated = (contact: Contact): Emitted[] => [
  { detailType: CONTACT_EVENT.created, data: contact },
]

/** Nothing when nothing changed: a no-op patch publishes nothing. */
export const contactUpdated = (after: Contact, changes: ContactChanges): Emitted[] =>
  Object.keys(changes).length
    ? [{ detailType: CONTACT_EVENT.updated, data: { id: after.id, version: after.version, changes } }]
    : []

/** A deletion; an erasure also tells every projection to drop its copy. */
export const contactDeleted = (contact: Contact, erased: boolean): Emitted[] => {
  const data = { id: contact.id, version: contact.version }
  return [
    { detailType: CONTACT_EVENT.deleted, data },
    ...(erased ? [{ detailType: CONTACT_EVENT.erased, data }] : []),
  ]
}

export const consentChanged = (
  after: Contact,
  change: { channel: string; before: ConsentRecord | undefined; after: ConsentRecord },
): Emitted[] => [
  {
    detailType: CONTACT_EVENT.consentChanged,
    data: {
      id: after.id,
      version: after.version,
      channel: change.channel,
      ...(change.before ? { before: change.before } : {}),
      after: change.after,
    },
  },
]

/** A merge: the target's change, and the source's deletion naming where it went. */
export const contactsMerged = (merged: Contact, source: Contact, changes: ContactChanges): Emitted[] => [
  {
    detailType: CONTACT_EVENT.merged,
    data: { id: merged.id, version: merged.version, sourceId: source.id, changes },
  },
  {
    detailType: CONTACT_EVENT.deleted,
    data: { id: source.id, version: source.version, mergedInto: merged.id },
  },
]

/** An interaction; a purchase also changes the contact (purchases, tier). */
export const interactionLogged = (
  interaction: Interaction,
  purchase?: { after: Contact; changes: ContactChanges },
): Emitted[] => [
  { detailType: INTERACTION_EVENT.logged, data: interaction },
  ...(purchase ? contactUpdated(purchase.after, purchase.changes) : []),
]

export const companyCreated = (company: Company): Emitted[] => [
  { detailType: COMPANY_EVENT.created, data: company },
]

export const companyUpdated = (company: Company, changes: Record<string, FieldChange>): Emitted[] => [
  { detailType: COMPANY_EVENT.updated, data: { id: company.id, version: company.version, changes } },
]

export const companyDeleted = (id: string, version: number): Emitted[] => [
  { detailType: COMPANY_EVENT.deleted, data: { id, version } },
]

export const exportCompleted = (job: ExportJob): Emitted[] => [
  {
    detailType: EXPORT_JOB_EVENT.completed,
    data: { id: job.id, format: job.format, rows: job.rows, bytes: job.bytes, createdBy: job.createdBy },
  },
]
