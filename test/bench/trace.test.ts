import { describe, expect, it } from 'vitest'
import { busyMs } from './trace.js'

describe('time waiting on calls', () => {
  it('counts overlapping calls once and gaps not at all; an unanswered call not at all', () => {
    expect(
      busyMs([
        { dynamodb: true, start: 0, end: 10 },
        { dynamodb: true, start: 5, end: 12 },
        { dynamodb: true, start: 20, end: 25 },
        { dynamodb: true, start: 30 },
      ]),
    ).toBe(17)
  })
})
