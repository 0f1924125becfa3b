/**
 * Deal routes: create, read, change, move through stages, insights.
 * Roles are core's sets: ANY_ROLE reads, WRITERS do sales work, MANAGERS configure.
 * Each declaration is marked pure: a handler imports this module for its one route, and esbuild
 * does not carry route()'s no-side-effects mark across files, so it would bundle all of them.
 */
import {
  CreateDeal,
  Deal,
  DealInsights,
  DealPage,
  IdParams,
  ListDealsQuery,
  MoveDealStage,
  UpdateDeal,
} from '@relay/contracts/pipeline'
import { ANY_ROLE, route, WRITERS } from '@relay/core/manifest'

export const createDeal = /* @__PURE__ */ route({
  method: 'POST',
  path: '/deals',
  function: 'create-deal',
  roles: WRITERS,
  // Who may name which owner: the rule in the README (Ownership), enforced by core.
  ownerField: 'ownerId',
  summary: 'Create a deal (amount, or line items from the catalogue)',
  body: CreateDeal,
  example: {
    name: 'Siam Trading renewal',
    amount: { amountMinor: 1250000, currency: 'EUR' },
    closeDate: '2026-12-15',
  },
  response: { status: 201, schema: Deal },
})

export const listDeals = /* @__PURE__ */ route({
  method: 'GET',
  path: '/deals',
  function: 'list-deals',
  roles: ANY_ROLE,
  summary: 'List deals by pipeline (and stage), owner, status or close date',
  query: ListDealsQuery,
  response: { status: 200, schema: DealPage },
})

export const getDeal = /* @__PURE__ */ route({
  method: 'GET',
  path: '/deals/{id}',
  function: 'get-deal',
  roles: ANY_ROLE,
  params: IdParams,
  summary: 'Read a deal, with its stage history',
  response: { status: 200, schema: Deal },
})

export const updateDeal = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/deals/{id}',
  function: 'update-deal',
  roles: WRITERS,
  params: IdParams,
  // Who may name which owner: the rule in the README (Ownership), enforced by core.
  ownerField: 'ownerId',
  summary: 'Change some fields of a deal (null clears; stage changes go through /stage)',
  body: UpdateDeal,
  example: { closeDate: '2026-12-20' },
  response: { status: 200, schema: Deal },
})

export const deleteDeal = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/deals/{id}',
  function: 'delete-deal',
  roles: WRITERS,
  params: IdParams,
  summary: 'Delete a deal',
  response: { status: 204 },
})

export const moveDealStage = /* @__PURE__ */ route({
  method: 'POST',
  path: '/deals/{id}/stage',
  function: 'move-deal-stage',
  roles: WRITERS,
  params: IdParams,
  summary:
    'Move a deal to another stage (won / lost close it; lost needs a reason); automation rules add follow-ups',
  body: MoveDealStage,
  example: { stageId: 'proposal' },
  response: { status: 200, schema: Deal },
})

export const getDealInsights = /* @__PURE__ */ route({
  method: 'GET',
  path: '/deals/{id}/insights',
  function: 'get-deal-insights',
  roles: ANY_ROLE,
  params: IdParams,
  summary:
    "Win probability learned from the tenant's closed deals (logistic regression), with its top factors",
  response: { status: 200, schema: DealInsights },
})

/** In the order the API documentation lists them. */
export const dealRoutes = [
  createDeal,
  listDeals,
  getDeal,
  updateDeal,
  deleteDeal,
  moveDealStage,
  getDealInsights,
]
