/**
 * Routes: contacts themselves (create, search, read, change, delete), their duplicates and merge,
 * and the right of access. Reads are for every role (ANY_ROLE), everyday writes for the roles that
 * work with customers (WRITERS).
 */
import { PaginationQuery } from '@relay/contracts/common'
import {
  Contact,
  ContactIdParams,
  ContactPage,
  CreateContact,
  DeleteContactQuery,
  DuplicatePage,
  ListContactsQuery,
  MergeContacts,
  UpdateContact,
} from '@relay/contracts/contacts'
import { ANY_ROLE, MANAGERS, type Role, route, WRITERS } from '@relay/core/manifest'

/** Deleting and merging are irreversible and fan out to every service's projections: managers and admins. */
export const IRREVERSIBLE_ROLES: readonly Role[] = MANAGERS

export const createContact = /* @__PURE__ */ route({
  method: 'POST',
  path: '/contacts',
  function: 'create-contact',
  roles: WRITERS,
  // Who may name which owner: core's ownership rule (README, *Ownership*).
  ownerField: 'ownerId',
  summary: 'Create a contact',
  body: CreateContact,
  // No email: the route tests create this example many times in one tenant, and an email is unique.
  example: {
    firstName: 'Siân',
    lastName: 'Llewellyn',
    phones: [{ number: '+44 29 2018 0000', label: 'office' }],
    companyName: 'Caerdydd Cyf',
    jobTitle: 'Prynwr',
    lifecycleStage: 'lead',
    channel: 'walk_in',
    tags: ['lead'],
  },
  response: { status: 201, schema: Contact },
  errors: { 409: 'Another contact has one of these emails (`existingId` names it)' },
})

export const listContacts = /* @__PURE__ */ route({
  method: 'GET',
  path: '/contacts',
  function: 'list-contacts',
  roles: ANY_ROLE,
  summary:
    'Search and list contacts (q prefix of name, email or phone; tag, owner, lifecycleStage, companyId, updatedSince)',
  query: ListContactsQuery,
  response: { status: 200, schema: ContactPage },
})

export const getContact = /* @__PURE__ */ route({
  method: 'GET',
  path: '/contacts/{id}',
  function: 'get-contact',
  roles: ANY_ROLE,
  params: ContactIdParams,
  summary: 'Read a contact',
  response: { status: 200, schema: Contact },
})

export const updateContact = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/contacts/{id}',
  function: 'update-contact',
  roles: WRITERS,
  ownerField: 'ownerId',
  params: ContactIdParams,
  summary: 'Change some fields of a contact (null clears an optional field)',
  body: UpdateContact,
  example: { companyName: 'Caerdydd Cyf.', tags: ['lead', 'wales'] },
  response: { status: 200, schema: Contact },
})

export const deleteContact = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/contacts/{id}',
  function: 'delete-contact',
  roles: IRREVERSIBLE_ROLES,
  params: ContactIdParams,
  summary: 'Delete a contact (erase=true also erases its history: right to erasure)',
  query: DeleteContactQuery,
  response: { status: 204 },
})

export const listDuplicates = /* @__PURE__ */ route({
  method: 'GET',
  path: '/contacts/duplicates',
  function: 'list-duplicates',
  roles: ANY_ROLE,
  summary: 'Likely duplicate pairs, scored (same phone; similar name at the same company)',
  query: PaginationQuery,
  response: { status: 200, schema: DuplicatePage },
})

export const mergeContacts = /* @__PURE__ */ route({
  method: 'POST',
  path: '/contacts/{id}/merge',
  function: 'merge-contacts',
  roles: IRREVERSIBLE_ROLES,
  params: ContactIdParams,
  summary: 'Merge duplicates (sourceIds, in order) into this contact; the sources are deleted',
  body: MergeContacts,
  example: { sourceIds: ['01JD3Y0C6Z8R4F2G9QK7WXN5TB'] },
  response: { status: 200, schema: Contact },
})

export const exportContact = /* @__PURE__ */ route({
  method: 'GET',
  path: '/contacts/{id}/export',
  function: 'export-contact',
  roles: ANY_ROLE,
  params: ContactIdParams,
  summary: 'Everything held about a contact (right of access)',
  response: { status: 200 },
})

export const contactRoutes = [
  createContact,
  listContacts,
  getContact,
  updateContact,
  deleteContact,
  listDuplicates,
  mergeContacts,
  exportContact,
] as const
