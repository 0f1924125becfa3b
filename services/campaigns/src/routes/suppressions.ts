/**
 * Routes: the suppression list (bounces, complaints and unsubscribes land there by themselves; an
 * address can be added or lifted by hand).
 */
import {
  CreateSuppression,
  Suppression,
  SuppressionPage,
  SuppressionParams,
} from '@relay/contracts/campaigns'
import { PaginationQuery } from '@relay/contracts/common'
import { ANY_ROLE, MANAGERS, route } from '@relay/core/manifest'
import { MARKETERS } from './segments.js'

export const listSuppressions = /* @__PURE__ */ route({
  method: 'GET',
  path: '/suppressions',
  function: 'list-suppressions',
  roles: ANY_ROLE,
  summary: 'Suppressed addresses (bounces, complaints, unsubscribes, by hand), by address',
  query: PaginationQuery,
  response: { status: 200, schema: SuppressionPage },
})

export const createSuppression = /* @__PURE__ */ route({
  method: 'POST',
  path: '/suppressions',
  function: 'create-suppression',
  roles: MARKETERS,
  summary: 'Suppress an address by hand (no campaign email goes to it)',
  body: CreateSuppression,
  example: { email: 'no-mail@example.com', detail: 'Asked by phone not to be emailed' },
  response: { status: 201, schema: Suppression },
})

export const deleteSuppression = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/suppressions/{email}',
  function: 'delete-suppression',
  // Lifting a bounce or complaint risks the sender's reputation: managers and admins only.
  roles: MANAGERS,
  params: SuppressionParams,
  summary: 'Lift a suppression',
  response: { status: 204 },
})

export const suppressionRoutes = [listSuppressions, createSuppression, deleteSuppression] as const
