/**
 * Lead routes: capture, scoring, conversion.
 * Roles are core's sets: ANY_ROLE reads, WRITERS do sales work, MANAGERS configure.
 * Each declaration is marked pure: a handler imports this module for its one route, and esbuild
 * does not carry route()'s no-side-effects mark across files, so it would bundle all of them.
 */

import {
  Conversion,
  ConvertLead,
  CreateLead,
  Lead,
  LeadPage,
  ListLeadsQuery,
  UpdateLead,
} from '@relay/contracts/leads'
import { IdParams } from '@relay/contracts/pipeline'
import { ANY_ROLE, route, WRITERS } from '@relay/core/manifest'

export const createLead = /* @__PURE__ */ route({
  method: 'POST',
  path: '/leads',
  function: 'create-lead',
  roles: WRITERS,
  // Who may name which owner: the rule in the README (Ownership), enforced by core.
  ownerField: 'ownerId',
  summary: 'Create a lead (scored with the tenant rules)',
  body: CreateLead,
  example: {
    firstName: 'Aiko',
    lastName: '田中',
    email: 'aiko@example.jp',
    companyName: 'Tanaka Shoji KK',
    title: 'CTO',
    employees: 250,
    source: 'referral',
    campaign: 'Autumn webinar',
  },
  response: { status: 201, schema: Lead },
})

export const listLeads = /* @__PURE__ */ route({
  method: 'GET',
  path: '/leads',
  function: 'list-leads',
  roles: ANY_ROLE,
  summary: 'List leads by status, owner or source, newest first',
  query: ListLeadsQuery,
  response: { status: 200, schema: LeadPage },
})

export const getLead = /* @__PURE__ */ route({
  method: 'GET',
  path: '/leads/{id}',
  function: 'get-lead',
  roles: ANY_ROLE,
  params: IdParams,
  summary: 'Read a lead',
  response: { status: 200, schema: Lead },
})

export const updateLead = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/leads/{id}',
  function: 'update-lead',
  roles: WRITERS,
  params: IdParams,
  // Who may name which owner: the rule in the README (Ownership), enforced by core.
  ownerField: 'ownerId',
  summary: 'Change some fields of a lead (null clears), rescored',
  body: UpdateLead,
  example: { status: 'working' },
  response: { status: 200, schema: Lead },
})

export const deleteLead = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/leads/{id}',
  function: 'delete-lead',
  roles: WRITERS,
  params: IdParams,
  summary: 'Delete a lead',
  response: { status: 204 },
})

export const convertLead = /* @__PURE__ */ route({
  method: 'POST',
  path: '/leads/{id}/convert',
  function: 'convert-lead',
  roles: WRITERS,
  params: IdParams,
  summary: 'Convert a lead: contact id chosen up front, optionally a deal; repeatable (same ids)',
  body: ConvertLead,
  example: { deal: { amount: { amountMinor: 480000, currency: 'JPY' }, closeDate: '2026-11-30' } },
  response: { status: 200, schema: Conversion },
})

/** In the order the API documentation lists them. */
export const leadRoutes = [createLead, listLeads, getLead, updateLead, deleteLead, convertLead]
