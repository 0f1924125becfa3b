/**
 * Idempotency for POST with an `Idempotency-Key` header (records: `idempotency-store.ts`).
 *
 * - A conditional Put claims the key: of two simultaneous requests exactly one runs the handler,
 *   the other gets 409.
 * - The same key and request later → the stored answer, replayed with `Idempotency-Replayed: true`
 *   (an early return: the handler does not run). The same key with another request → 422.
 * - The claim's owner token travels with the handler (AsyncLocalStorage, `idempotency-claim.ts`):
 *   the request's entity transaction marks the claim committed in the same TransactWriteItems.
 * - After an error or a 5xx the claim is released only if nothing committed; otherwise it stays,
 *   and a retry gets 409 until the answer is stored (a timed-out handler that finishes later still
 *   stores it), or, once its lease lapsed with no stored answer, 409 saying it was applied. The
 *   handler never runs twice for one key.
 */

import { tableName } from '../ddb.js'
import {
  claimKey,
  completeClaim,
  type IdempotencyRecord,
  isAborted,
  recordKey,
  releaseClaim,
  type StoredResponse,
  sha256,
} from '../idempotency-store.js'
import type { Logger } from '../log.js'
import { Conflict, TimedOut, Unprocessable } from '../outcomes.js'
import { DEADLINE_MARGIN_MS } from './deadline.js'
import { toLambdaResult } from './response.js'
import {
  assertOption,
  type HttpMiddleware,
  type HttpMiddyRequest,
  type HttpResult,
  type LambdaResult,
  methodOf,
  pathOf,
  state,
} from './types.js'

/** When the Lambda context gives no remaining time (tests), a claim's lease. */
const DEFAULT_LEASE_MS = 30_000
/** Kept free of the remaining time for the answer itself when a record call is bounded. */
const ANSWER_RESERVE_MS = 250

/** How long a record call may take: what is left of the function's time, less the answer's share. */
function budget(request: HttpMiddyRequest, reserveMs: number): number | undefined {
  const remaining = request.context?.getRemainingTimeInMillis?.()
  return remaining === undefined ? undefined : Math.max(100, remaining - reserveMs)
}

export interface IdempotencyOptions {
  service: string
  /** Logical table holding the records; without one, POSTs are not idempotency-tracked. */
  table?: string
  logger: Logger
}

function requestHash(request: HttpMiddyRequest): string {
  return sha256(`${methodOf(request.event)}\n${pathOf(request.event)}\n${state(request).rawBody ?? ''}`)
}

function stored(response: LambdaResult): StoredResponse {
  const { body, statusCode, headers } = response
  return {
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(headers ? { headers } : {}),
    ...(body !== undefined ? { body } : {}),
  }
}

/** What a request finds when the key is already claimed. */
export function explainExisting(
  record: IdempotencyRecord | undefined,
  hash: string,
  now = Date.now(),
): Error | StoredResponse {
  if (!record) return new Conflict('A request with this Idempotency-Key is in progress; retry later.')
  if (record.requestHash !== hash)
    return new Unprocessable('This Idempotency-Key was already used for a different request.')
  if (record.status === 'COMPLETED' && record.response) return record.response
  if (record.committedAt !== undefined && (record.inProgressUntil ?? 0) < now) {
    return new Conflict(
      'A request with this Idempotency-Key was applied, but its answer was not kept; read the resource instead of retrying.',
      { applied: true },
    )
  }
  return new Conflict('A request with this Idempotency-Key is still in progress; retry later.')
}

export function idempotency(options: IdempotencyOptions): HttpMiddleware {
  assertOption(
    typeof options?.service === 'string' && options.service.length > 0,
    'idempotency',
    'service is required',
  )
  assertOption(
    options.table === undefined || typeof options.table === 'string',
    'idempotency',
    'table must be a string',
  )
  const { logger } = options

  const release = async (request: HttpMiddyRequest, why: string) => {
    const internal = state(request)
    const claim = internal.claim
    if (!claim) return 'released' as const
    internal.claim = undefined
    try {
      return await releaseClaim(claim, budget(request, ANSWER_RESERVE_MS))
    } catch (err) {
      // The claim then lapses with its lease; a retry before that gets 409, never a second run.
      logger.warn('Could not release the idempotency claim', { why, error: err as Error })
      return 'kept' as const
    }
  }

  return {
    before: async (request) => {
      const internal = state(request)
      const key = internal.idempotencyKey
      if (!options.table || !key || methodOf(request.event) !== 'POST') return
      const table = tableName(options.service, options.table)
      const hash = requestHash(request)
      const leaseMs = request.context?.getRemainingTimeInMillis?.() ?? DEFAULT_LEASE_MS
      const timeoutMs = budget(request, DEADLINE_MARGIN_MS)
      let result: Awaited<ReturnType<typeof claimKey>>
      try {
        result = await claimKey({
          table,
          key: recordKey(internal.caller.tenantId, pathOf(request.event), key),
          requestHash: hash,
          leaseMs,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        })
      } catch (err) {
        // A stalled claim: nothing ran, the key lapses with its lease if the claim landed.
        if (isAborted(err)) throw new TimedOut()
        throw err
      }
      if ('claimed' in result) {
        internal.claim = result.claimed
        return
      }
      const found = explainExisting(result.existing, hash)
      if (found instanceof Error) throw found
      logger.info('Idempotent replay', { idempotencyKey: key })
      return {
        ...found,
        headers: {
          ...found.headers,
          'Idempotency-Replayed': 'true',
          'x-correlation-id': internal.correlationId,
        },
      } satisfies LambdaResult
    },
    after: async (request) => {
      const internal = state(request)
      const claim = internal.claim
      if (!claim) return
      const response = request.response as LambdaResult
      if ((response.statusCode ?? 200) >= 500) {
        await release(request, `status ${response.statusCode}`)
        return
      }
      internal.claim = undefined
      try {
        if (!(await completeClaim(claim, requestHash(request), stored(response))))
          logger.warn('The idempotency claim was taken over before the answer was stored')
      } catch (err) {
        // The work is done: answer it. A retry gets 409 until the lease lapses, then "applied".
        logger.warn('Could not store the idempotent response', err as Error)
      }
    },
    onError: async (request) => {
      const internal = state(request)
      const claim = internal.claim
      if (!claim) return
      const outcome = await release(request, 'error')
      if (outcome !== 'kept' || !(request.error instanceof TimedOut) || !internal.pending) return
      // The write committed and the handler is still running: store its answer when it ends, so
      // the retries that got 409 meanwhile get the replay.
      const hash = requestHash(request)
      internal.pending
        .then(
          async (result) => {
            const response = toLambdaResult(result as HttpResult, internal.correlationId)
            if ((response.statusCode ?? 200) < 500) await completeClaim(claim, hash, stored(response))
          },
          () => undefined,
        )
        .catch((err: unknown) => logger.warn('Could not store the late idempotent response', err as Error))
    },
  }
}
