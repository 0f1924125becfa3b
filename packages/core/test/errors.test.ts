import { describe, expect, it } from 'vitest'
import {
  badRequest,
  conflict,
  forbidden,
  HttpError,
  notFound,
  preconditionFailed,
  problem,
  unauthorized,
} from '../src/errors.js'

describe('HttpError helpers', () => {
  it('carry the status and the standard title', () => {
    // Prepare / Act
    const errors = [
      badRequest([]),
      unauthorized(),
      forbidden(),
      notFound(),
      conflict('dup'),
      preconditionFailed(),
    ]
    // Assess
    expect(errors.map((e) => [e.status, e.title])).toEqual([
      [400, 'Bad Request'],
      [401, 'Unauthorized'],
      [403, 'Forbidden'],
      [404, 'Not Found'],
      [409, 'Conflict'],
      [412, 'Precondition Failed'],
    ])
    expect(errors.every((e) => e instanceof HttpError && e instanceof Error)).toBe(true)
  })

  it('badRequest keeps the field errors', () => {
    const err = badRequest([
      { field: 'emails.0.address', message: 'Must be a valid email address', code: 'invalid_format' },
    ])
    expect(err.errors).toEqual([
      { field: 'emails.0.address', message: 'Must be a valid email address', code: 'invalid_format' },
    ])
  })
})

describe('problem', () => {
  it('renders RFC 9457 problem+json with errors and extra members', () => {
    // Prepare
    const err = new HttpError(
      409,
      undefined,
      'Email taken',
      [{ field: 'email', message: 'Taken', code: 'taken' }],
      {
        existingId: 'c1',
        status: 999,
      },
    )
    // Act
    const res = problem(err, '/contacts', 'corr-1')
    // Assess
    expect(res.statusCode).toBe(409)
    expect(res.headers).toMatchObject({
      'content-type': 'application/problem+json',
      'x-correlation-id': 'corr-1',
    })
    expect(JSON.parse(res.body ?? '')).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'Email taken',
      instance: '/contacts',
      correlationId: 'corr-1',
      errors: [{ field: 'email', message: 'Taken', code: 'taken' }],
      existingId: 'c1',
    })
  })

  it('omits errors when there are none', () => {
    const body = JSON.parse(problem(notFound(), '/x', 'c').body ?? '')
    expect(body).not.toHaveProperty('errors')
    expect(body.status).toBe(404)
  })
})
