/**
 * Field-service routes: product registrations (warranties) per contact, and on-site visits of a
 * technician (an agent) in a window of the customer's time zone, never double-booked.
 * Each declaration is marked pure: a handler imports this module for its one route.
 */
import {
  BookVisit,
  CreateRegistration,
  ListRegistrationsQuery,
  ListVisitsQuery,
  Registration,
  RegistrationPage,
  RegistrationParams,
  UpdateRegistration,
  UpdateVisit,
  Visit,
  VisitPage,
  VisitParams,
} from '@relay/contracts/service-desk-field'
import { ANY_ROLE, type Role, route } from '@relay/core/manifest'

/** Who records products and books visits: the support floor and its managers. */
export const FIELD_WRITERS: readonly Role[] = ['admin', 'manager', 'support']

export const createRegistration = /* @__PURE__ */ route({
  method: 'POST',
  path: '/registrations',
  function: 'create-registration',
  roles: FIELD_WRITERS,
  summary: "Register a contact's product (serial, purchase date, warranty end)",
  body: CreateRegistration,
  example: {
    contactId: '01JD3Y0C6Z8R4F2G9QK7WXN5TB',
    product: 'Aurora X2 espresso machine',
    serialNumber: 'AX2-2026-004417',
    purchaseDate: '2026-03-14',
    warrantyEnd: '2028-03-14',
  },
  response: { status: 201, schema: Registration },
})

export const listRegistrations = /* @__PURE__ */ route({
  method: 'GET',
  path: '/registrations',
  function: 'list-registrations',
  roles: ANY_ROLE,
  summary: "Registrations, newest first: a contact's (?contactId=), one unit's (?serialNumber=), or all",
  query: ListRegistrationsQuery,
  response: { status: 200, schema: RegistrationPage },
})

export const getRegistration = /* @__PURE__ */ route({
  method: 'GET',
  path: '/registrations/{id}',
  function: 'get-registration',
  roles: ANY_ROLE,
  params: RegistrationParams,
  summary: 'Read a registration',
  response: { status: 200, schema: Registration },
})

export const updateRegistration = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/registrations/{id}',
  function: 'update-registration',
  roles: FIELD_WRITERS,
  params: RegistrationParams,
  summary: 'Change a registration (If-Match; null clears warrantyEnd or notes)',
  body: UpdateRegistration,
  example: { warrantyEnd: '2029-03-14' },
  response: { status: 200, schema: Registration },
})

export const bookVisit = /* @__PURE__ */ route({
  method: 'POST',
  path: '/visits',
  function: 'book-visit',
  roles: FIELD_WRITERS,
  summary:
    "Book an on-site visit: technician, window in the customer's time zone (15-minute steps), address; 409 when the technician is booked",
  body: BookVisit,
  example: {
    technicianId: 'tech-ana',
    window: { start: '2027-09-14T09:00', end: '2027-09-14T11:00', timeZone: 'Europe/Berlin' },
    address: { line1: 'Torstraße 12', city: 'Berlin', postalCode: '10119', country: 'DE' },
    notes: 'Ring twice; the machine is in the back kitchen.',
  },
  errors: { 409: 'The technician already holds a visit in (part of) the window' },
  response: { status: 201, schema: Visit },
})

export const listVisits = /* @__PURE__ */ route({
  method: 'GET',
  path: '/visits',
  function: 'list-visits',
  roles: ANY_ROLE,
  summary:
    "Visits by window start: a technician's (?technicianId=), a ticket's (?ticketId=), or all; ?from=&to=",
  query: ListVisitsQuery,
  response: { status: 200, schema: VisitPage },
})

export const getVisit = /* @__PURE__ */ route({
  method: 'GET',
  path: '/visits/{id}',
  function: 'get-visit',
  roles: ANY_ROLE,
  params: VisitParams,
  summary: 'Read a visit',
  response: { status: 200, schema: Visit },
})

export const updateVisit = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/visits/{id}',
  function: 'update-visit',
  roles: FIELD_WRITERS,
  params: VisitParams,
  summary: 'Reschedule (window, technician), complete with an outcome, or cancel a visit (If-Match)',
  body: UpdateVisit,
  example: { status: 'completed', outcome: 'resolved', outcomeNotes: 'Replaced the pump.' },
  errors: { 409: 'The technician is booked in the new window, or the visit is already finished' },
  response: { status: 200, schema: Visit },
})

/** In the order the API documentation lists them. */
export const fieldRoutes = [
  createRegistration,
  listRegistrations,
  getRegistration,
  updateRegistration,
  bookVisit,
  listVisits,
  getVisit,
  updateVisit,
]
