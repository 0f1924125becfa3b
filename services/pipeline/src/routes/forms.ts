/**
 * Web-to-lead routes: forms, and their public capture endpoint.
 * Roles are core's sets: ANY_ROLE reads, WRITERS do sales work, MANAGERS configure.
 * Each declaration is marked pure: a handler imports this module for its one route, and esbuild
 * does not carry route()'s no-side-effects mark across files, so it would bundle all of them.
 */

import { PaginationQuery } from '@relay/contracts/common'
import {
  CreateForm,
  Form,
  FormPage,
  FormParams,
  FormSubmission,
  SubmissionAccepted,
} from '@relay/contracts/leads'
import { IdParams } from '@relay/contracts/pipeline'
import { MANAGERS, route } from '@relay/core/manifest'

export const createForm = /* @__PURE__ */ route({
  method: 'POST',
  path: '/forms',
  function: 'create-form',
  roles: MANAGERS,
  // Who may name which owner: the rule in the README (Ownership), enforced by core.
  ownerField: 'ownerId',
  summary: 'Define a web-to-lead form: field mapping, source, campaign, honeypot; returns its public key',
  body: CreateForm,
  example: {
    name: 'Contact us',
    fields: [
      { name: 'full_name', maps: 'lastName', required: true },
      { name: 'work_email', maps: 'email', required: true },
      { name: 'company', maps: 'companyName' },
      { name: 'country', maps: 'country' },
    ],
    campaign: 'Autumn webinar',
    honeypotField: 'website',
  },
  response: { status: 201, schema: Form },
})

export const listForms = /* @__PURE__ */ route({
  method: 'GET',
  path: '/forms',
  function: 'list-forms',
  roles: MANAGERS,
  summary: "The tenant's web-to-lead forms, newest first",
  query: PaginationQuery,
  response: { status: 200, schema: FormPage },
})

export const getForm = /* @__PURE__ */ route({
  method: 'GET',
  path: '/forms/{id}',
  function: 'get-form',
  roles: MANAGERS,
  params: IdParams,
  summary: 'Read a web-to-lead form (with its public key)',
  response: { status: 200, schema: Form },
})

export const deleteForm = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/forms/{id}',
  function: 'delete-form',
  roles: MANAGERS,
  params: IdParams,
  summary: 'Delete a web-to-lead form (its public endpoint answers 404 from then on)',
  response: { status: 204 },
})

export const submitForm = /* @__PURE__ */ route({
  method: 'POST',
  path: '/public/forms/{formId}/submissions',
  function: 'submit-form',
  roles: 'public',
  params: FormParams,
  summary: 'Public web-to-lead capture (no token; header x-form-key; honeypot; per-form rate limit → 429)',
  headers: {
    'x-form-key': {
      required: true,
      description: "The form's public key (from POST /forms), checked in constant time",
    },
  },
  errors: {
    401: 'Header x-form-key is missing or does not match the form',
    429: "Over the form's submissions per minute; Retry-After says when to try again",
  },
  // A submission's fields are a handful of short strings (each at most 1 000 characters).
  maxBodyBytes: 16_384,
  body: FormSubmission,
  example: { full_name: 'Nguyễn Thị Lan', work_email: 'lan@example.vn', company: 'Saigon Tea' },
  response: { status: 202, schema: SubmissionAccepted },
})

/** In the order the API documentation lists them. */
export const formRoutes = [createForm, listForms, getForm, deleteForm, submitForm]
