/** The ownership rule (issue 9.9), enforced by core for every route that declares `ownerField`. */
import { describe, expect, it, vi } from 'vitest'
import * as z from 'zod/mini'
import { httpKit } from '../src/kit.js'
import { route, WRITERS } from '../src/manifest.js'
import { bodyOf, context, httpEvent } from './helpers.js'

const http = httpKit({ service: 'coreowner' })
const Body = z.strictObject({ title: z.optional(z.string()), ownerId: z.optional(z.nullable(z.string())) })
const createDeal = route({
  method: 'POST',
  path: '/deals',
  function: 'c',
  roles: WRITERS,
  summary: 'c',
  body: Body,
  ownerField: 'ownerId',
})
const updateDeal = route({
  method: 'PATCH',
  path: '/deals/{id}',
  function: 'u',
  roles: WRITERS,
  summary: 'u',
  body: Body,
  ownerField: 'ownerId',
})

const as = (role: string) => ({ sub: 'me', 'custom:tenantId': 'acme', 'cognito:groups': `[${role}]` })

describe('ownerField', () => {
  const handle = vi.fn(async () => ({ status: 200 }))
  const create = http(createDeal, handle)
  const update = http(updateDeal, handle)
  const post = (role: string, body: unknown) => create(httpEvent({ body, claims: as(role) }), context)
  const patch = (role: string, body: unknown) =>
    update(
      httpEvent({ method: 'PATCH', path: '/deals/d1', params: { id: 'd1' }, body, claims: as(role) }),
      context,
    )

  it('on create, sales may omit the owner or name themselves', async () => {
    expect((await post('sales', { title: 'a' })).statusCode).toBe(200)
    expect((await post('sales', { ownerId: 'me' })).statusCode).toBe(200)
    expect((await post('sales', { ownerId: null })).statusCode).toBe(200)
  })

  it('on create, sales may not name someone else: 403 naming the field', async () => {
    // Act
    const res = await post('sales', { ownerId: 'someone-else' })
    // Assess
    expect(res.statusCode).toBe(403)
    expect(res.headers?.['content-type']).toBe('application/problem+json')
    expect(bodyOf(res)).toMatchObject({ status: 403, errors: [{ field: 'ownerId', code: 'not_owner' }] })
  })

  it('on update, only a manager or an admin may set the owner', async () => {
    expect((await patch('sales', { ownerId: 'me' })).statusCode).toBe(403)
    expect((await patch('support', { ownerId: 'x' })).statusCode).toBe(403)
    expect((await patch('sales', { title: 'renamed' })).statusCode).toBe(200)
    expect((await patch('manager', { ownerId: 'x' })).statusCode).toBe(200)
    expect((await patch('admin', { ownerId: 'x' })).statusCode).toBe(200)
  })

  it('managers and admins may create records for anyone', async () => {
    expect((await post('manager', { ownerId: 'someone-else' })).statusCode).toBe(200)
    expect((await post('admin', { ownerId: 'someone-else' })).statusCode).toBe(200)
  })

  it('refuses a route declaring an empty ownerField when the handler is built', () => {
    expect(() => http({ ...createDeal, ownerField: '' }, handle)).toThrow(/ownership/)
  })
})
