/** Events of the contacts service (source `crm.contacts`), version 1; `events.ts` aggregates them. */

import { COMPANY_EVENT, CompanyCreatedV1, CompanyDeletedV1, CompanyUpdatedV1 } from './companies.js'
import { ContactExportCompletedV1, EXPORT_JOB_EVENT } from './contact-exports.js'
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

/** Every event the contacts service publishes: business events only (its jobs run on work queues). */
export const CONTACTS_EVENTS: readonly EventContract[] = [
  ContactCreated,
  ContactUpdated,
  ContactDeleted,
  ContactConsentChanged,
  ContactMerged,
  ContactErased,
  ContactExportCompleted,
  CompanyCreated,
  CompanyUpdated,
  CompanyDeleted,
  InteractionLogged,
]
