/** Events of the contacts service (source `crm.contacts`), version 1; `events.ts` aggregates them. */

import { COMPANY_EVENT, CompanyCreatedV1, CompanyDeletedV1, CompanyUpdatedV1 } from './companies.js'
import { ContactExportCompletedV1, ContactExportRequestedV1, EXPORT_JOB_EVENT } from './contact-exports.js'
import { ContactImportChunkRequestedV1, ContactImportRequestedV1, IMPORT_EVENT } from './contact-imports.js'
import {
  CONTACT_EVENT,
  CONTACTS_SOURCE,
  ContactConsentChangedV1,
  ContactCreatedV1,
  ContactDeletedV1,
  ContactErasedV1,
  ContactMergedV1,
  ContactUpdatedV1,
} from './contacts.js'
import type { EventContract } from './event-contract.js'
import { INTERACTION_EVENT, InteractionLoggedV1 } from './interactions.js'

export const ContactCreated = {
  source: CONTACTS_SOURCE,
  detailType: CONTACT_EVENT.created,
  version: 1,
  description: 'A contact was created; data is the contact.',
  data: ContactCreatedV1,
} as const satisfies EventContract

export const ContactUpdated = {
  source: CONTACTS_SOURCE,
  detailType: CONTACT_EVENT.updated,
  version: 1,
  description:
    "A contact changed; data names each changed field with its value before and after, and the contact's new version.",
  data: ContactUpdatedV1,
} as const satisfies EventContract

export const ContactDeleted = {
  source: CONTACTS_SOURCE,
  detailType: CONTACT_EVENT.deleted,
  version: 1,
  description: 'A contact was deleted.',
  data: ContactDeletedV1,
} as const satisfies EventContract

export const ContactConsentChanged = {
  source: CONTACTS_SOURCE,
  detailType: CONTACT_EVENT.consentChanged,
  version: 1,
  description:
    "A contact's consent for one channel (email, sms, phone) was recorded; data has it before and after.",
  data: ContactConsentChangedV1,
} as const satisfies EventContract

export const ContactMerged = {
  source: CONTACTS_SOURCE,
  detailType: CONTACT_EVENT.merged,
  version: 1,
  description:
    'A contact absorbed another (sourceId, deleted with it: a Contact.Deleted follows for it); data carries the changes.',
  data: ContactMergedV1,
} as const satisfies EventContract

export const ContactErased = {
  source: CONTACTS_SOURCE,
  detailType: CONTACT_EVENT.erased,
  version: 1,
  description:
    'A contact and its history were erased (right to erasure): drop every copy of its personal data.',
  data: ContactErasedV1,
} as const satisfies EventContract

export const ContactImportRequested = {
  source: CONTACTS_SOURCE,
  detailType: IMPORT_EVENT.requested,
  version: 1,
  description: 'A CSV import job was accepted; the contacts service runs it (integrators may ignore it).',
  data: ContactImportRequestedV1,
} as const satisfies EventContract

export const ContactImportChunkRequested = {
  source: CONTACTS_SOURCE,
  detailType: IMPORT_EVENT.chunkRequested,
  version: 1,
  description:
    'An import job has a further chunk of rows to run; the contacts service runs it (integrators may ignore it).',
  data: ContactImportChunkRequestedV1,
} as const satisfies EventContract

export const ContactExportRequested = {
  source: CONTACTS_SOURCE,
  detailType: EXPORT_JOB_EVENT.requested,
  version: 1,
  description: 'A contact export job was accepted; the contacts service runs it (integrators may ignore it).',
  data: ContactExportRequestedV1,
} as const satisfies EventContract

export const ContactExportCompleted = {
  source: CONTACTS_SOURCE,
  detailType: EXPORT_JOB_EVENT.completed,
  version: 1,
  description:
    "A contact export job's file is ready (format, rows, bytes); GET /contacts/exports/{id} links to it.",
  data: ContactExportCompletedV1,
} as const satisfies EventContract

export const CompanyCreated = {
  source: CONTACTS_SOURCE,
  detailType: COMPANY_EVENT.created,
  version: 1,
  description: 'A company was created; data is the company.',
  data: CompanyCreatedV1,
} as const satisfies EventContract

export const CompanyUpdated = {
  source: CONTACTS_SOURCE,
  detailType: COMPANY_EVENT.updated,
  version: 1,
  description: 'A company changed; data names each changed field with its value before and after.',
  data: CompanyUpdatedV1,
} as const satisfies EventContract

export const CompanyDeleted = {
  source: CONTACTS_SOURCE,
  detailType: COMPANY_EVENT.deleted,
  version: 1,
  description: 'A company was deleted.',
  data: CompanyDeletedV1,
} as const satisfies EventContract

export const InteractionLogged = {
  source: CONTACTS_SOURCE,
  detailType: INTERACTION_EVENT.logged,
  version: 1,
  description:
    'An interaction with a contact (email, call, meeting, purchase...) was logged; data is the interaction.',
  data: InteractionLoggedV1,
} as const satisfies EventContract

/** Every contacts event beyond Contact.Created/Updated/Deleted. */
export const CONTACTS_EXTRA_EVENTS: readonly EventContract[] = [
  ContactConsentChanged,
  ContactMerged,
  ContactErased,
  ContactImportRequested,
  ContactImportChunkRequested,
  ContactExportRequested,
  ContactExportCompleted,
  CompanyCreated,
  CompanyUpdated,
  CompanyDeleted,
  InteractionLogged,
]

/** Every event the contacts service publishes. */
export const CONTACTS_EVENTS: readonly EventContract[] = [
  ContactCreated,
  ContactUpdated,
  ContactDeleted,
  ...CONTACTS_EXTRA_EVENTS,
]
