/** Routes: companies and the contacts that belong to them. */
import { PaginationQuery } from '@relay/contracts/common'
import {
  Company,
  CompanyIdParams,
  CompanyPage,
  CreateCompany,
  ListCompaniesQuery,
  UpdateCompany,
} from '@relay/contracts/companies'
import { ContactPage } from '@relay/contracts/contacts'
import { ANY_ROLE, route, WRITERS } from '@relay/core/manifest'
import { IRREVERSIBLE_ROLES } from './contacts.js'

export const createCompany = /* @__PURE__ */ route({
  method: 'POST',
  path: '/companies',
  function: 'create-company',
  roles: WRITERS,
  ownerField: 'ownerId',
  summary: 'Create a company',
  body: CreateCompany,
  example: { name: 'Caerdydd Cyf', domain: 'caerdydd.example', industry: 'Retail', tags: ['wales'] },
  response: { status: 201, schema: Company },
})

export const listCompanies = /* @__PURE__ */ route({
  method: 'GET',
  path: '/companies',
  function: 'list-companies',
  roles: ANY_ROLE,
  summary: 'List companies, newest first',
  query: ListCompaniesQuery,
  response: { status: 200, schema: CompanyPage },
})

export const getCompany = /* @__PURE__ */ route({
  method: 'GET',
  path: '/companies/{id}',
  function: 'get-company',
  roles: ANY_ROLE,
  params: CompanyIdParams,
  summary: 'Read a company',
  response: { status: 200, schema: Company },
})

export const updateCompany = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/companies/{id}',
  function: 'update-company',
  roles: WRITERS,
  ownerField: 'ownerId',
  params: CompanyIdParams,
  summary: 'Change some fields of a company (null clears an optional field)',
  body: UpdateCompany,
  example: { industry: 'Wholesale' },
  response: { status: 200, schema: Company },
})

export const deleteCompany = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/companies/{id}',
  function: 'delete-company',
  roles: IRREVERSIBLE_ROLES,
  params: CompanyIdParams,
  summary: 'Delete a company that no contact belongs to',
  response: { status: 204 },
  errors: { 409: 'Contacts still belong to the company' },
})

export const listCompanyContacts = /* @__PURE__ */ route({
  method: 'GET',
  path: '/companies/{id}/contacts',
  function: 'list-company-contacts',
  roles: ANY_ROLE,
  params: CompanyIdParams,
  summary: 'The contacts of a company, newest first',
  query: PaginationQuery,
  response: { status: 200, schema: ContactPage },
})

export const companyRoutes = [
  createCompany,
  listCompanies,
  getCompany,
  updateCompany,
  deleteCompany,
  listCompanyContacts,
] as const
