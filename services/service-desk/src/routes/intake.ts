/**
 * Intake routes: inbound email (a raw MIME message, as an SES receipt rule stores it), its
 * quarantine, public support forms, and the satisfaction survey's public rating link.
 * Each declaration is marked pure: a handler imports this module for its one route.
 */
import { TicketParams } from '@relay/contracts/service-desk'
import {
  CreateSupportForm,
  CsatAnswer,
  CsatClickQuery,
  CsatParams,
  CsatRating,
  INBOUND_MAX_BYTES,
  InboundResult,
  QuarantinedMessageWithRaw,
  QuarantineListQuery,
  QuarantinePage,
  QuarantineParams,
  Satisfaction,
  SupportAccepted,
  SupportForm,
  SupportFormPage,
  SupportFormParams,
  SupportSubmission,
} from '@relay/contracts/service-desk-intake'
import { ANY_ROLE, MANAGERS, type Role, route } from '@relay/core/manifest'

/**
 * Who may post inbound mail: the mail relay's machine user (role `support`) and admins. The tenant
 * comes from its token like every request's: a relay per tenant mailbox, or one per tenant pool.
 */
export const INBOUND_ROLES: readonly Role[] = ['admin', 'support']
/** Who reads the quarantine: it holds whole messages, personal data included. */
export const QUARANTINE_READERS: readonly Role[] = ['admin', 'manager', 'support']

export const receiveInbound = /* @__PURE__ */ route({
  method: 'POST',
  path: '/inbound/email',
  function: 'receive-inbound',
  roles: INBOUND_ROLES,
  summary:
    'Inbound email: a raw MIME message (Content-Type message/rfc822) opens a ticket (201), threads onto one (200; a duplicate Message-ID answers 200 too) or, malformed, is quarantined (202)',
  // The body is the raw message, not JSON: no body schema, the handler reads the bytes.
  maxBodyBytes: INBOUND_MAX_BYTES,
  errors: {
    415: 'The body is not a raw message (Content-Type message/rfc822 or application/octet-stream)',
  },
  response: { status: 201, schema: InboundResult },
})

export const listQuarantine = /* @__PURE__ */ route({
  method: 'GET',
  path: '/inbound/quarantine',
  function: 'list-quarantine',
  roles: QUARANTINE_READERS,
  summary: 'Quarantined inbound messages, newest first (reason, size, From/Subject as received)',
  query: QuarantineListQuery,
  response: { status: 200, schema: QuarantinePage },
})

export const getQuarantined = /* @__PURE__ */ route({
  method: 'GET',
  path: '/inbound/quarantine/{id}',
  function: 'get-quarantined',
  roles: QUARANTINE_READERS,
  params: QuarantineParams,
  summary: 'One quarantined message with its bytes (base64)',
  response: { status: 200, schema: QuarantinedMessageWithRaw },
})

export const createSupportForm = /* @__PURE__ */ route({
  method: 'POST',
  path: '/support-forms',
  function: 'create-support-form',
  roles: MANAGERS,
  summary:
    "Define a public support form (its tickets' priority, type, category, tags, queue; rate limit); returns its key",
  body: CreateSupportForm,
  example: { name: 'Help centre contact form', type: 'question', tags: ['web-form'] },
  response: { status: 201, schema: SupportForm },
})

export const listSupportForms = /* @__PURE__ */ route({
  method: 'GET',
  path: '/support-forms',
  function: 'list-support-forms',
  roles: MANAGERS,
  summary: "The tenant's support forms, newest first",
  query: QuarantineListQuery,
  response: { status: 200, schema: SupportFormPage },
})

export const submitSupportForm = /* @__PURE__ */ route({
  method: 'POST',
  path: '/public/support/{formId}',
  function: 'submit-support-form',
  roles: 'public',
  params: SupportFormParams,
  summary:
    'Public support form (no token; header x-form-key; honeypot `website`; per-form rate limit → 429): opens a web ticket',
  headers: {
    'x-form-key': {
      required: true,
      description: "The form's public key (from POST /support-forms), checked in constant time",
    },
  },
  errors: {
    401: 'Header x-form-key is missing or does not match the form',
    429: "Over the form's submissions per minute; Retry-After says when to try again",
  },
  maxBodyBytes: 32_768,
  body: SupportSubmission,
  example: {
    email: 'lan@example.vn',
    name: 'Nguyễn Thị Lan',
    subject: 'The grinder jams',
    description: 'Since Monday the grinder stops after two seconds.',
  },
  response: { status: 202, schema: SupportAccepted },
})

export const clickCsat = /* @__PURE__ */ route({
  method: 'GET',
  path: '/public/csat/{token}',
  function: 'click-csat',
  roles: 'public',
  params: CsatParams,
  query: CsatClickQuery,
  summary: "One-click rating from the survey email's link (?score=1..5): signed, expiring, single use",
  errors: {
    401: 'The link is not valid, expired, or belongs to an older survey',
    409: 'The ticket was already rated with another score',
  },
  response: { status: 200, schema: CsatAnswer },
})

export const rateCsat = /* @__PURE__ */ route({
  method: 'POST',
  path: '/public/csat/{token}',
  function: 'rate-csat',
  roles: 'public',
  params: CsatParams,
  summary:
    'Rate with an optional comment through the survey link (or add the comment after a one-click rating)',
  body: CsatRating,
  example: { score: 5, comment: 'Fixed the same day, thank you!' },
  errors: {
    401: 'The link is not valid, expired, or belongs to an older survey',
    409: 'The ticket was already rated with another score, or already has a comment',
  },
  response: { status: 200, schema: CsatAnswer },
})

export const getSatisfaction = /* @__PURE__ */ route({
  method: 'GET',
  path: '/tickets/{id}/satisfaction',
  function: 'get-satisfaction',
  roles: ANY_ROLE,
  params: TicketParams,
  summary: "A ticket's satisfaction survey: sent when, the requester's score and comment",
  response: { status: 200, schema: Satisfaction },
})

/** In the order the API documentation lists them. */
export const intakeRoutes = [
  receiveInbound,
  listQuarantine,
  getQuarantined,
  createSupportForm,
  listSupportForms,
  submitSupportForm,
  clickCsat,
  rateCsat,
  getSatisfaction,
]
