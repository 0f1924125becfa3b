/** Routes: what happens to a contact over time: interactions, its timeline, consent per channel. */
import { PaginationQuery } from '@relay/contracts/common'
import { Contact, ContactIdParams, RecordConsent } from '@relay/contracts/contacts'
import { Interaction, InteractionIdParams, LogInteraction, TimelinePage } from '@relay/contracts/interactions'
import { ANY_ROLE, route, WRITERS } from '@relay/core/manifest'

export const logInteraction = /* @__PURE__ */ route({
  method: 'POST',
  path: '/contacts/{id}/interactions',
  function: 'log-interaction',
  roles: WRITERS,
  params: ContactIdParams,
  summary: 'Log an interaction (email, call, meeting, chat, social, web visit, purchase, note)',
  body: LogInteraction,
  example: {
    type: 'call',
    channel: 'phone',
    direction: 'outbound',
    summary: 'Talked about the spring order',
  },
  response: { status: 201, schema: Interaction },
})

export const getInteraction = /* @__PURE__ */ route({
  method: 'GET',
  path: '/contacts/{id}/interactions/{interactionId}',
  function: 'get-interaction',
  roles: ANY_ROLE,
  params: InteractionIdParams,
  summary: 'Read an interaction',
  response: { status: 200, schema: Interaction },
})

export const getTimeline = /* @__PURE__ */ route({
  method: 'GET',
  path: '/contacts/{id}/timeline',
  function: 'get-timeline',
  roles: ANY_ROLE,
  params: ContactIdParams,
  summary: "A contact's interactions and changes, newest first",
  query: PaginationQuery,
  response: { status: 200, schema: TimelinePage },
})

export const recordConsent = /* @__PURE__ */ route({
  method: 'POST',
  path: '/contacts/{id}/consent',
  function: 'record-consent',
  roles: WRITERS,
  params: ContactIdParams,
  summary: 'Record the consent of one channel (email, sms, phone)',
  body: RecordConsent,
  example: { channel: 'email', status: 'granted', source: 'signup form', legalBasis: 'consent' },
  response: { status: 200, schema: Contact },
})

export const timelineRoutes = [logInteraction, getInteraction, getTimeline, recordConsent] as const
