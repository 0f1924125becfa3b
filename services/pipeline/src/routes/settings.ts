/**
 * Settings routes: lead assignment, automations, the user directory, currencies, lead scoring.
 * Roles are core's sets: ANY_ROLE reads, WRITERS do sales work, MANAGERS configure.
 * Each declaration is marked pure: a handler imports this module for its one route, and esbuild
 * does not carry route()'s no-side-effects mark across files, so it would bundle all of them.
 */
import { Automations, AutomationsInput, UserDirectory, UserDirectoryInput } from '@relay/contracts/activities'
import { LeadAssignment, LeadAssignmentInput, LeadScoring, LeadScoringInput } from '@relay/contracts/leads'
import { CurrencySettings, CurrencySettingsInput } from '@relay/contracts/pipeline'
import { ANY_ROLE, MANAGERS, route } from '@relay/core/manifest'

export const getLeadAssignment = /* @__PURE__ */ route({
  method: 'GET',
  path: '/settings/lead-assignment',
  function: 'get-lead-assignment',
  roles: ANY_ROLE,
  summary: 'Lead assignment teams and rules',
  response: { status: 200, schema: LeadAssignment },
})

export const putLeadAssignment = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/settings/lead-assignment',
  function: 'put-lead-assignment',
  roles: MANAGERS,
  summary: 'Set the lead assignment rules: ordered field matches → team; round robin or lowest open load',
  body: LeadAssignmentInput,
  example: {
    teams: [
      { id: 'emea', strategy: 'round_robin', members: ['u-ana', 'u-ben'] },
      { id: 'apac', strategy: 'lowest_load', members: ['u-chen', 'u-dao'] },
    ],
    rules: [
      { field: 'country', values: ['GB', 'FR', 'DE'], team: 'emea' },
      { field: 'territory', values: ['APAC'], team: 'apac' },
    ],
    defaultTeam: 'emea',
  },
  response: { status: 200, schema: LeadAssignment },
})

export const getAutomations = /* @__PURE__ */ route({
  method: 'GET',
  path: '/settings/automations',
  function: 'get-automations',
  roles: ANY_ROLE,
  summary: 'Deal automation rules',
  response: { status: 200, schema: Automations },
})

export const putAutomations = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/settings/automations',
  function: 'put-automations',
  roles: MANAGERS,
  summary: 'Set the automation rules: when a deal enters a stage, a follow-up for its owner N days later',
  body: AutomationsInput,
  example: {
    rules: [
      {
        stageId: 'proposal',
        activity: {
          type: 'call',
          subject: 'Call back about the proposal',
          dueInDays: 3,
          remindMinutesBefore: 30,
        },
      },
    ],
  },
  response: { status: 200, schema: Automations },
})

export const getUsers = /* @__PURE__ */ route({
  method: 'GET',
  path: '/settings/users',
  function: 'get-users',
  roles: MANAGERS,
  summary: 'The user directory: where reminder emails go',
  response: { status: 200, schema: UserDirectory },
})

export const putUsers = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/settings/users',
  function: 'put-users',
  roles: MANAGERS,
  summary: 'Set the user directory (user id → email) used for reminder emails',
  body: UserDirectoryInput,
  example: { users: [{ userId: 'u-42', email: 'sam@example.com', name: 'Sam' }] },
  response: { status: 200, schema: UserDirectory },
})

export const getCurrencies = /* @__PURE__ */ route({
  method: 'GET',
  path: '/settings/currencies',
  function: 'get-currencies',
  roles: ANY_ROLE,
  summary: 'Base currency and exchange rates',
  response: { status: 200, schema: CurrencySettings },
})

export const putCurrencies = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/settings/currencies',
  function: 'put-currencies',
  roles: MANAGERS,
  summary: 'Set the base currency and exact decimal rates (1 unit of currency = rate units of base)',
  body: CurrencySettingsInput,
  example: {
    baseCurrency: 'EUR',
    rates: [
      { currency: 'USD', rate: '0.92' },
      { currency: 'JPY', rate: '0.0061' },
    ],
  },
  response: { status: 200, schema: CurrencySettings },
})

export const getLeadScoring = /* @__PURE__ */ route({
  method: 'GET',
  path: '/settings/lead-scoring',
  function: 'get-lead-scoring',
  roles: ANY_ROLE,
  summary: 'Lead scoring rules',
  response: { status: 200, schema: LeadScoring },
})

export const putLeadScoring = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/settings/lead-scoring',
  function: 'put-lead-scoring',
  roles: MANAGERS,
  summary: 'Set the lead scoring rules (field, operator, value → points)',
  body: LeadScoringInput,
  example: {
    rules: [
      { field: 'source', operator: 'eq', value: 'referral', points: 30 },
      { field: 'employees', operator: 'gte', value: 200, points: 25 },
      { field: 'title', operator: 'contains', value: 'cto', points: 20 },
    ],
  },
  response: { status: 200, schema: LeadScoring },
})

/** In the order the API documentation lists them. */
export const settingsRoutes = [
  getLeadAssignment,
  putLeadAssignment,
  getAutomations,
  putAutomations,
  getUsers,
  putUsers,
  getCurrencies,
  putCurrencies,
  getLeadScoring,
  putLeadScoring,
]
