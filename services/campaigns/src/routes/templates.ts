/**
 * Template routes. Marketing work: WRITERS create and change templates (marketing is among them),
 * ANY_ROLE reads. Each declaration is marked pure, so a handler bundles only its own.
 */
import {
  CreateTemplate,
  PreviewTemplate,
  RenderedTemplate,
  Template,
  TemplatePage,
  UpdateTemplate,
} from '@relay/contracts/campaigns'
import { Id, PaginationQuery } from '@relay/contracts/common'
import { ANY_ROLE, route, WRITERS } from '@relay/core/manifest'
import * as z from 'zod/mini'

const TemplateParams = z.strictObject({ id: Id })

// The body limit: two parts of up to 200 000 characters each, some of them multi-byte.
const TEMPLATE_BODY_BYTES = 1_048_576

export const createTemplate = /* @__PURE__ */ route({
  method: 'POST',
  path: '/templates',
  function: 'create-template',
  roles: WRITERS,
  summary:
    'Create an email template: subject, HTML and text in Liquid ({{ contact.firstName | default: "there" }}); HTML output escaped; invalid templates → 400 naming the part',
  body: CreateTemplate,
  maxBodyBytes: TEMPLATE_BODY_BYTES,
  example: {
    name: 'Spring offer',
    subject: 'Hello {{ contact.firstName | default: "there" }}, spring is here',
    html: '<p>Hi {{ contact.firstName | default: "there" }},</p><p><a href="https://example.com/spring">See the offer</a></p>',
    text: 'Hi {{ contact.firstName | default: "there" }}, see the offer: https://example.com/spring',
  },
  response: { status: 201, schema: Template },
})

export const listTemplates = /* @__PURE__ */ route({
  method: 'GET',
  path: '/templates',
  function: 'list-templates',
  roles: ANY_ROLE,
  summary: "The tenant's templates, newest first",
  query: PaginationQuery,
  response: { status: 200, schema: TemplatePage },
})

export const getTemplate = /* @__PURE__ */ route({
  method: 'GET',
  path: '/templates/{id}',
  function: 'get-template',
  roles: ANY_ROLE,
  params: TemplateParams,
  summary: 'Read a template',
  response: { status: 200, schema: Template },
})

export const updateTemplate = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/templates/{id}',
  function: 'update-template',
  roles: WRITERS,
  params: TemplateParams,
  summary:
    'Change some parts of a template (If-Match; text: null drops the text part); checked like a new one',
  body: UpdateTemplate,
  maxBodyBytes: TEMPLATE_BODY_BYTES,
  example: { subject: 'Last days of the spring offer, {{ contact.firstName | default: "friend" }}' },
  response: { status: 200, schema: Template },
})

export const deleteTemplate = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/templates/{id}',
  function: 'delete-template',
  roles: WRITERS,
  params: TemplateParams,
  summary: 'Delete a template (campaigns already sent keep what they sent)',
  response: { status: 204 },
})

export const previewTemplate = /* @__PURE__ */ route({
  method: 'POST',
  path: '/templates/{id}/preview',
  function: 'preview-template',
  roles: ANY_ROLE,
  params: TemplateParams,
  summary: 'Render a template for one contact of the audience (contactId) or for sample values (contact)',
  body: PreviewTemplate,
  example: { contact: { firstName: 'Siân', lastName: 'Ellis' } },
  response: { status: 200, schema: RenderedTemplate },
})

/** In the order the API documentation lists them. */
export const templateRoutes = [
  createTemplate,
  listTemplates,
  getTemplate,
  updateTemplate,
  deleteTemplate,
  previewTemplate,
]
