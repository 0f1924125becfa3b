/**
 * The idempotency claim of the request being handled, for the writes it makes.
 *
 * A claim carries an owner token. The entity transaction of the request (`transactWithEvents`)
 * adds {@link claimCommitItem}: an Update of the claim `SET committedAt` on condition that this
 * request still owns it. Releasing a claim after an error deletes it only if it was not committed
 * and is still ours. So DynamoDB decides atomically: either the write committed and the claim stays
 * (a retry gets 409, then the replay), or the claim is gone and the write can no longer commit.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { TransactItem } from './transact-item.js'

/** A claim held by the running request. */
export interface ActiveClaim {
  table: string
  key: { pk: string; sk: string }
  /** Random per request: only the request that claimed the key may commit or release it. */
  owner: string
}

const active = new AsyncLocalStorage<ActiveClaim>()

/** Runs `fn` with `claim` as the current request's claim (the idempotency middleware does this). */
export function runWithClaim<T>(claim: ActiveClaim | undefined, fn: () => T): T {
  return claim ? active.run(claim, fn) : fn()
}

/** The current request's claim, if it holds one. */
export function currentClaim(): ActiveClaim | undefined {
  return active.getStore()
}

/**
 * The transaction item that marks the current request's claim as committed, or undefined outside
 * a claimed request. Its condition fails when the claim was released or taken over meanwhile (the
 * request timed out), which cancels the whole transaction: the write cannot land after its key
 * was given up.
 */
export function claimCommitItem(): TransactItem | undefined {
  const claim = active.getStore()
  if (!claim) return undefined
  return {
    Update: {
      TableName: claim.table,
      Key: claim.key,
      UpdateExpression: 'SET committedAt = :now',
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':now': Date.now(), ':owner': claim.owner },
    },
  }
}
