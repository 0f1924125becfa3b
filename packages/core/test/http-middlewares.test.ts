/** Each middleware checks its options when a handler is built, not when a request arrives. */
import { describe, expect, it } from 'vitest'
import { auth } from '../src/http/auth.js'
import { bodyLimit } from '../src/http/body-limit.js'
import { correlation } from '../src/http/correlation.js'
import { idempotency } from '../src/http/idempotency.js'
import { ownership } from '../src/http/ownership.js'
import { problems } from '../src/http/problem.js'
import { respond } from '../src/http/response.js'
import { createLogger } from '../src/log.js'

const logger = createLogger('coremw')

describe('middleware options', () => {
  it.each([
    ['auth with an unknown role', () => auth({ roles: ['root' as never] })],
    ['auth without roles', () => auth({} as never)],
    ['bodyLimit below zero', () => bodyLimit({ maxBytes: -1 })],
    ['bodyLimit not an integer', () => bodyLimit({ maxBytes: 1.5 })],
    ['ownership without a field', () => ownership({ field: '' })],
    ['idempotency without a service', () => idempotency({ service: '', logger })],
    ['correlation without a logger', () => correlation({} as never)],
    ['problems without a logger', () => problems({} as never)],
    ['respond without a logger', () => respond({} as never)],
  ])('%s is refused', (_name, build) => {
    expect(build).toThrow(TypeError)
  })

  it('each returns only the hooks it needs, and defaults what it can', () => {
    expect(Object.keys(bodyLimit())).toEqual(['before'])
    expect(Object.keys(problems({ logger }))).toEqual(['onError'])
    expect(Object.keys(idempotency({ service: 's', logger })).sort()).toEqual(['after', 'before', 'onError'])
    expect(Object.keys(auth({ roles: 'public' }))).toEqual(['before'])
  })
})
