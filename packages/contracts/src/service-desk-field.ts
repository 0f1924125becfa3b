/**
 * Service desk field-service API, version 1: product registrations (warranties) per contact, the
 * coverage an agent sees on a ticket, and on-site visits. Additive changes only within a version.
 */
import * as z from 'zod/mini'
import { Id, nameText, PaginationQuery, page, Timestamp } from './common.js'
import { ActorId, Ticket } from './service-desk.js'

const Day = z.iso.date()
const Notes = z
  .string()
  .check(z.normalize('NFC'), z.maxLength(2000), z.regex(/^[^\0]*$/, 'Must not contain NUL'))
const Serial = z
  .string()
  .check(
    z.trim(),
    z.minLength(1),
    z.maxLength(100),
    z.regex(/^[^\p{Cc}]+$/u, 'Must not contain control characters'),
  )

// ------------------------------------------------------------------------------------------------
// Registrations

export const CreateRegistration = z.strictObject({
  contactId: Id,
  product: nameText(200),
  serialNumber: Serial,
  purchaseDate: Day,
  /** Last day under warranty (inclusive); absent when unknown. */
  warrantyEnd: z.optional(Day),
  companyId: z.optional(Id),
  notes: z.optional(Notes),
})
export type CreateRegistration = z.infer<typeof CreateRegistration>

/** PATCH /registrations/{id} body (If-Match): `null` clears an optional field. */
export const UpdateRegistration = z
  .strictObject({
    product: z.optional(nameText(200)),
    serialNumber: z.optional(Serial),
    purchaseDate: z.optional(Day),
    warrantyEnd: z.optional(z.nullable(Day)),
    notes: z.optional(z.nullable(Notes)),
  })
  .check(
    z.refine((v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0, {
      message: 'Give at least one field to change',
    }),
  )
export type UpdateRegistration = z.infer<typeof UpdateRegistration>

export const Registration = z.object({
  id: z.string(),
  contactId: z.string(),
  product: z.string(),
  serialNumber: z.string(),
  purchaseDate: z.string(),
  warrantyEnd: z.optional(z.string()),
  companyId: z.optional(z.string()),
  notes: z.optional(z.string()),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Registration = z.infer<typeof Registration>
export const RegistrationPage = page(Registration)

/** GET /registrations: a contact's registrations, or one serial number's; otherwise newest first. */
export const ListRegistrationsQuery = z.strictObject({
  contactId: z.optional(Id),
  serialNumber: z.optional(Serial),
  ...PaginationQuery.shape,
})

export const RegistrationParams = z.strictObject({ id: Id })

/** Whether a contact is under warranty, as shown on the ticket's read. */
export const Coverage = z.object({
  covered: z.boolean(),
  /** The calendar day (UTC) coverage was judged on. */
  asOf: z.string(),
  registrations: z.array(
    z.object({
      registrationId: z.string(),
      product: z.string(),
      serialNumber: z.string(),
      warrantyEnd: z.optional(z.string()),
      state: z.enum(['covered', 'expired', 'unknown']),
      daysLeft: z.optional(z.number()),
    }),
  ),
})
export type Coverage = z.infer<typeof Coverage>

/** GET /tickets/{id}: the ticket with its requester's warranty coverage, so the agent sees it. */
export const TicketRead = z.extend(Ticket, { coverage: Coverage })

// ------------------------------------------------------------------------------------------------
// Visits

export const VISIT_STATUSES = ['booked', 'completed', 'cancelled'] as const
export type VisitStatus = (typeof VISIT_STATUSES)[number]
/** How a visit ended. */
export const VISIT_OUTCOMES = [
  'resolved',
  'follow_up_needed',
  'parts_required',
  'no_access',
  'not_resolved',
] as const

const LocalTime = z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'Must be a local time YYYY-MM-DDTHH:mm'))

/** A window as the customer agreed it: wall-clock times in their IANA time zone. */
export const WindowInput = z.strictObject({
  start: LocalTime,
  end: LocalTime,
  timeZone: z.string().check(z.minLength(1), z.maxLength(64)),
})

export const Address = z.strictObject({
  line1: nameText(200),
  line2: z.optional(nameText(200)),
  city: nameText(100),
  postalCode: z.optional(nameText(20)),
  region: z.optional(nameText(100)),
  /** ISO 3166-1 alpha-2. */
  country: z
    .string()
    .check(z.trim(), z.toUpperCase(), z.regex(/^[A-Z]{2}$/, 'Must be an ISO 3166-1 alpha-2 code')),
})

/** POST /visits body: a technician (agent), a window, where; optionally the ticket it serves. */
export const BookVisit = z.strictObject({
  technicianId: ActorId,
  window: WindowInput,
  address: Address,
  ticketId: z.optional(Id),
  contactId: z.optional(Id),
  notes: z.optional(Notes),
})
export type BookVisit = z.infer<typeof BookVisit>

/**
 * PATCH /visits/{id} body (If-Match): reschedule (window and/or technician) a booked visit, or
 * complete it (with its outcome) or cancel it.
 */
export const UpdateVisit = z
  .strictObject({
    status: z.optional(z.enum(['completed', 'cancelled'])),
    outcome: z.optional(z.enum(VISIT_OUTCOMES)),
    outcomeNotes: z.optional(Notes),
    window: z.optional(WindowInput),
    technicianId: z.optional(ActorId),
    address: z.optional(Address),
    notes: z.optional(z.nullable(Notes)),
  })
  .check(
    z.refine((v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0, {
      message: 'Give at least one field to change',
    }),
  )
export type UpdateVisit = z.infer<typeof UpdateVisit>

export const Visit = z.object({
  id: z.string(),
  technicianId: z.string(),
  ticketId: z.optional(z.string()),
  contactId: z.optional(z.string()),
  window: z.object({
    start: Timestamp,
    end: Timestamp,
    localStart: z.string(),
    localEnd: z.string(),
    timeZone: z.string(),
  }),
  address: z.object({
    line1: z.string(),
    line2: z.optional(z.string()),
    city: z.string(),
    postalCode: z.optional(z.string()),
    region: z.optional(z.string()),
    country: z.string(),
  }),
  notes: z.optional(z.string()),
  status: z.enum(VISIT_STATUSES),
  outcome: z.optional(z.enum(VISIT_OUTCOMES)),
  outcomeNotes: z.optional(z.string()),
  completedAt: z.optional(Timestamp),
  cancelledAt: z.optional(Timestamp),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Visit = z.infer<typeof Visit>
export const VisitPage = page(Visit)

/** GET /visits: one technician's, one ticket's, or all, by window start; `from`/`to` bound the start. */
export const ListVisitsQuery = z.strictObject({
  technicianId: z.optional(ActorId),
  ticketId: z.optional(Id),
  from: z.optional(z.iso.datetime()),
  to: z.optional(z.iso.datetime()),
  ...PaginationQuery.shape,
})
export type ListVisitsQuery = z.infer<typeof ListVisitsQuery>

export const VisitParams = z.strictObject({ id: Id })
