import {
  Contact,
  ContactPage,
  CreateContact,
  ListContactsQuery,
  UpdateContact,
} from '@relay/contracts/contacts'
import { ContactCreated, ContactDeleted, ContactUpdated } from '@relay/contracts/events'
import { defineService } from '@relay/core/manifest'
import { DELETE_ROLES, READ_ROLES, WRITE_ROLES } from './access.js'

const published = (e: typeof ContactCreated | typeof ContactUpdated | typeof ContactDeleted) => ({
  detailType: e.detailType,
  schema: e.data,
  version: e.version,
  description: e.description,
})

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
  },
  routes: [
    {
      method: 'POST',
      path: '/contacts',
      function: 'create-contact',
      roles: WRITE_ROLES,
      summary: 'Create a contact',
      body: CreateContact,
      example: {
        firstName: 'Siân',
        lastName: 'Llewellyn',
        emails: [{ address: 'sian@example.com', label: 'work', primary: true }],
        phones: [{ number: '+44 29 2018 0000', label: 'office' }],
        companyName: 'Caerdydd Cyf',
        tags: ['lead'],
      },
      response: { status: 201, schema: Contact },
    },
    {
      method: 'GET',
      path: '/contacts',
      function: 'list-contacts',
      roles: READ_ROLES,
      summary: 'List contacts, newest first',
      query: ListContactsQuery,
      response: { status: 200, schema: ContactPage },
    },
    {
      method: 'GET',
      path: '/contacts/{id}',
      function: 'get-contact',
      roles: READ_ROLES,
      summary: 'Read a contact',
      response: { status: 200, schema: Contact },
    },
    {
      method: 'PATCH',
      path: '/contacts/{id}',
      function: 'update-contact',
      roles: WRITE_ROLES,
      summary: 'Change some fields of a contact (null clears an optional field)',
      body: UpdateContact,
      example: { companyName: 'Caerdydd Cyf.', tags: ['lead', 'wales'] },
      response: { status: 200, schema: Contact },
    },
    {
      method: 'DELETE',
      path: '/contacts/{id}',
      function: 'delete-contact',
      roles: DELETE_ROLES,
      summary: 'Delete a contact',
      response: { status: 204 },
    },
  ],
  subscriptions: [],
  schedules: [],
  publishes: [published(ContactCreated), published(ContactUpdated), published(ContactDeleted)],
})
