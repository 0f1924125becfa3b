import { describe, expect, it } from 'vitest'
import { statusTitle } from '../src/errors.js'
import { problemOf, problemResponse } from '../src/http/problem.js'
import { Conflict, Invalid, NotAllowed, NotFound, StaleVersion, Unauthenticated } from '../src/outcomes.js'

describe('outcomes carry the status and the standard title', () => {
  it('maps each to its status and RFC 9110 reason phrase', () => {
    // Prepare / Act
    const problems = [
      new Invalid([]),
      new Unauthenticated(),
      new NotAllowed(),
      new NotFound(),
      new Conflict('dup'),
      new StaleVersion(),
    ].map((o) => problemOf(o, true))
    // Assess
    expect(problems.map((p) => [p.status, statusTitle(p.status)])).toEqual([
      [400, 'Bad Request'],
      [401, 'Unauthorized'],
      [403, 'Forbidden'],
      [404, 'Not Found'],
      [409, 'Conflict'],
      [412, 'Precondition Failed'],
    ])
  })

  it('Invalid keeps the field errors', () => {
    const errors = [
      { field: 'emails.0.address', message: 'Must be a valid email address', code: 'invalid_format' },
    ]
    expect(problemOf(new Invalid(errors), false).errors).toEqual(errors)
  })
})

describe('problemResponse', () => {
  it('renders RFC 9457 problem+json with errors and extra members that never replace the standard ones', () => {
    // Prepare
    const details = {
      status: 409,
      detail: 'Email taken',
      errors: [{ field: 'email', message: 'Taken', code: 'taken' }],
      extra: { existingId: 'c1', status: 999 },
    }
    // Act
    const res = problemResponse(details, '/contacts', 'corr-1')
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
    const body = JSON.parse(problemResponse(problemOf(new NotFound(), false), '/x', 'c').body ?? '')
    expect(body).not.toHaveProperty('errors')
    expect(body.status).toBe(404)
  })

  it('a 503 always says when to retry', () => {
    expect(problemResponse({ status: 503, detail: 'busy' }, '/x', 'c').headers).toMatchObject({
      'retry-after': '5',
    })
  })
})
