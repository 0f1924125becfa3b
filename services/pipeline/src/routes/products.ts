/**
 * Product routes: the catalogue.
 * Roles are core's sets: ANY_ROLE reads, WRITERS do sales work, MANAGERS configure.
 * Each declaration is marked pure: a handler imports this module for its one route, and esbuild
 * does not carry route()'s no-side-effects mark across files, so it would bundle all of them.
 */
import { PaginationQuery } from '@relay/contracts/common'
import { CreateProduct, IdParams, Product, ProductPage, UpdateProduct } from '@relay/contracts/pipeline'
import { ANY_ROLE, MANAGERS, route } from '@relay/core/manifest'

export const createProduct = /* @__PURE__ */ route({
  method: 'POST',
  path: '/products',
  function: 'create-product',
  roles: MANAGERS,
  summary: 'Add a product to the catalogue',
  body: CreateProduct,
  example: {
    name: 'Relay Pro (1 year)',
    sku: 'PRO-1Y',
    unitPrice: { amountMinor: 119900, currency: 'EUR' },
  },
  response: { status: 201, schema: Product },
})

export const listProducts = /* @__PURE__ */ route({
  method: 'GET',
  path: '/products',
  function: 'list-products',
  roles: ANY_ROLE,
  summary: 'The product catalogue, newest first',
  query: PaginationQuery,
  response: { status: 200, schema: ProductPage },
})

export const getProduct = /* @__PURE__ */ route({
  method: 'GET',
  path: '/products/{id}',
  function: 'get-product',
  roles: ANY_ROLE,
  params: IdParams,
  summary: 'Read a product',
  response: { status: 200, schema: Product },
})

export const updateProduct = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/products/{id}',
  function: 'update-product',
  roles: MANAGERS,
  params: IdParams,
  summary: 'Change a product (deals keep the prices they were priced at)',
  body: UpdateProduct,
  example: { unitPrice: { amountMinor: 129900, currency: 'EUR' } },
  response: { status: 200, schema: Product },
})

/** In the order the API documentation lists them. */
export const productRoutes = [createProduct, listProducts, getProduct, updateProduct]
