/**
 * Activity routes: tasks, calls, meetings and emails with reminders.
 * Roles are core's sets: ANY_ROLE reads, WRITERS do sales work, MANAGERS configure.
 * Each declaration is marked pure: a handler imports this module for its one route, and esbuild
 * does not carry route()'s no-side-effects mark across files, so it would bundle all of them.
 */

import {
  Activity,
  ActivityPage,
  CreateActivity,
  ListActivitiesQuery,
  UpdateActivity,
} from '@relay/contracts/activities'
import { IdParams } from '@relay/contracts/pipeline'
import { ANY_ROLE, route, WRITERS } from '@relay/core/manifest'

export const createActivity = /* @__PURE__ */ route({
  method: 'POST',
  path: '/activities',
  function: 'create-activity',
  roles: WRITERS,
  // Who may name which owner: the rule in the README (Ownership), enforced by core.
  ownerField: 'ownerId',
  summary: 'Create a task, call, meeting or email linked to a lead, contact or deal',
  body: CreateActivity,
  example: {
    type: 'call',
    subject: 'Pricing call',
    relatedTo: { type: 'contact', id: '01JD3Y0C6Z8R4F2G9QK7WXN5TB' },
    dueAt: '2026-12-01T10:00:00.000Z',
    reminderAt: '2026-12-01T09:45:00.000Z',
  },
  response: { status: 201, schema: Activity },
})

export const listActivities = /* @__PURE__ */ route({
  method: 'GET',
  path: '/activities',
  function: 'list-activities',
  roles: ANY_ROLE,
  summary: "An owner's open activities (view=today|overdue|open) or a record's activities",
  query: ListActivitiesQuery,
  response: { status: 200, schema: ActivityPage },
})

export const getActivity = /* @__PURE__ */ route({
  method: 'GET',
  path: '/activities/{id}',
  function: 'get-activity',
  roles: ANY_ROLE,
  params: IdParams,
  summary: 'Read an activity',
  response: { status: 200, schema: Activity },
})

export const updateActivity = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/activities/{id}',
  function: 'update-activity',
  roles: WRITERS,
  params: IdParams,
  // Who may name which owner: the rule in the README (Ownership), enforced by core.
  ownerField: 'ownerId',
  summary: 'Change or complete an activity (done: true)',
  body: UpdateActivity,
  example: { done: true },
  response: { status: 200, schema: Activity },
})

export const deleteActivity = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/activities/{id}',
  function: 'delete-activity',
  roles: WRITERS,
  params: IdParams,
  summary: 'Delete an activity',
  response: { status: 204 },
})

/** In the order the API documentation lists them. */
export const activityRoutes = [createActivity, listActivities, getActivity, updateActivity, deleteActivity]
