import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { describe, expect, it } from 'vitest'
import { transientRetryAfter } from '../src/errors.js'
import { problemOf, problemResponse } from '../src/http/problem.js'
import {
  Conflict,
  Invalid,
  isOutcome,
  NotAcceptable,
  NotAllowed,
  NotFound,
  RateLimited,
  StaleVersion,
  TimedOut,
  TooLarge,
  Unauthenticated,
  Unavailable,
  Unprocessable,
  UnsupportedMediaType,
  writeOrExplain,
} from '../src/outcomes.js'
import { combine, isWork, itemsOf, work } from '../src/work.js'

class EmailTaken extends Conflict {
  constructor(existingId: string) {
    super('A contact with this email exists.', { existingId })
  }
}

const ccf = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} })

describe('outcomes → problem (the one mapping)', () => {
  it.each([
    [new Invalid([{ field: 'name', code: 'too_small', message: 'x' }]), 400],
    [new Unauthenticated(), 401],
    [new NotAllowed(), 403],
    [new NotFound(), 404],
    [new Conflict('taken'), 409],
    [new EmailTaken('c1'), 409],
    [new TooLarge(10), 413],
    [new UnsupportedMediaType(), 415],
    [new NotAcceptable(['text/csv']), 406],
    [new Unprocessable('no'), 422],
    [new RateLimited(3), 429],
    [new Unavailable(2), 503],
    [new TimedOut(), 504],
  ])('%s → %i', (outcome, status) => {
    expect(problemOf(outcome, false).status).toBe(status)
  })

  it('StaleVersion is 412 when the request carried If-Match, else 409', () => {
    expect(problemOf(new StaleVersion(), true).status).toBe(412)
    expect(problemOf(new StaleVersion(), false).status).toBe(409)
  })

  it('an unexplained failed condition follows the same rule', () => {
    expect(problemOf(ccf(), true).status).toBe(412)
    expect(problemOf(ccf(), false).status).toBe(409)
  })

  it("keeps a Conflict subclass's extra members and names, and sends Retry-After", () => {
    // Act
    const taken = problemResponse(problemOf(new EmailTaken('c9'), false), '/contacts', 'corr')
    const limited = problemResponse(problemOf(new RateLimited(2.2), false), '/x', 'corr')
    // Assess
    expect(JSON.parse(taken.body ?? '')).toMatchObject({ status: 409, existingId: 'c9', title: 'Conflict' })
    expect(limited.headers).toMatchObject({ 'retry-after': '3', 'content-type': 'application/problem+json' })
  })

  it('recognises an outcome thrown by another copy of core (by its registered brand and kind)', () => {
    // Prepare: what a second bundled copy of outcomes.ts would throw.
    const foreign = Object.assign(new Error('gone'), {
      kind: 'NotFound',
      [Symbol.for('relay.core.outcome')]: true,
    })
    // Act / Assess
    expect(isOutcome(foreign)).toBe(true)
    expect(problemOf(foreign, false)).toMatchObject({ status: 404, detail: 'gone' })
    expect(isOutcome(Object.assign(new Error('x'), { kind: 'NotFound' }))).toBe(false)
  })

  it('anything else is a 500 whose body hides the error', () => {
    const details = problemOf(new Error('table crm-prod exploded'), false)
    expect(details).toMatchObject({ status: 500, unexpected: true })
    expect(details.detail).not.toContain('exploded')
  })
})

describe('throttled and unavailable dependencies → 503 with Retry-After', () => {
  const sdk = (name: string, status?: number) =>
    Object.assign(new Error(name), { name, $metadata: status ? { httpStatusCode: status } : {} })

  it.each([
    ['DynamoDB throttling', sdk('ThrottlingException', 400), 1],
    ['DynamoDB throughput', sdk('ProvisionedThroughputExceededException', 400), 1],
    ['DynamoDB request limit', sdk('RequestLimitExceeded', 400), 1],
    ['SES throttling', sdk('Throttling', 400), 1],
    ['S3 slow down', sdk('SlowDown', 503), 1],
    ['SQS overload', sdk('RequestThrottled', 403), 1],
    ['EventBridge internal', sdk('InternalException', 500), 5],
    ['DynamoDB internal', sdk('InternalServerError', 500), 5],
    ['any 503', sdk('ServiceUnavailable', 503), 5],
    ['any 429', sdk('SomethingNew', 429), 1],
    ['SDK time-out', sdk('TimeoutError'), 5],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
      5,
    ],
    [
      'connection reset in a cause',
      new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
      5,
    ],
    [
      'refused, every address',
      new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
      5,
    ],
  ])('%s', (_name, err, seconds) => {
    // Act
    const details = problemOf(err, false)
    const res = problemResponse(details, '/contacts', 'corr')
    // Assess
    expect(res.statusCode).toBe(503)
    expect(res.headers?.['retry-after']).toBe(String(seconds))
    expect(JSON.parse(res.body ?? '')).toMatchObject({ status: 503, title: 'Service Unavailable' })
  })

  it('a failed condition inside a cancelled transaction is an answer, not a hiccup', () => {
    const err = Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'ThrottlingError' }],
    })
    expect(transientRetryAfter(err)).toBeUndefined()
    expect(
      transientRetryAfter({ ...err, CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }] }),
    ).toBe(1)
  })

  it('plain errors and client mistakes are not transient', () => {
    expect(transientRetryAfter(new Error('boom'))).toBeUndefined()
    expect(transientRetryAfter(sdk('ValidationException', 400))).toBeUndefined()
  })
})

describe('writeOrExplain', () => {
  it('passes the write result through', async () => {
    await expect(
      writeOrExplain(
        async () => 7,
        async () => true,
      ),
    ).resolves.toBe(7)
  })

  it('a failed condition on a record that is gone → NotFound, on one that changed → StaleVersion', async () => {
    await expect(
      writeOrExplain(
        () => Promise.reject(ccf()),
        async () => false,
      ),
    ).rejects.toBeInstanceOf(NotFound)
    await expect(
      writeOrExplain(
        () => Promise.reject(ccf()),
        async () => true,
      ),
    ).rejects.toBeInstanceOf(StaleVersion)
  })

  it('other errors pass unchanged', async () => {
    const boom = new Error('boom')
    await expect(
      writeOrExplain(
        () => Promise.reject(boom),
        async () => true,
      ),
    ).rejects.toBe(boom)
  })
})

describe('work', () => {
  const put = (id: string) => ({ Put: { TableName: 't', Item: { pk: id, sk: 'x' } } })

  it('keeps its items opaque, combinable, and recognised only when built by work()', () => {
    const w = combine(work(put('a')), undefined, work(put('b'), put('c')))
    expect(isWork(w)).toBe(true)
    expect(itemsOf(w).map((i) => i.Put?.Item?.pk)).toEqual(['a', 'b', 'c'])
    expect(itemsOf(undefined)).toEqual([])
    expect(() => itemsOf([put('a')] as never)).toThrow(TypeError)
    expect(Object.keys(w)).toEqual([])
  })
})
