/**
 * A unit of work: the writes one change makes, committed together (TransactWriteItems). Store
 * modules build it with {@link work} / {@link combine}; subscribers return it and core commits it
 * with the event's dedupe record. Handlers never see the TransactItems inside: the brand is opaque,
 * so a handler cannot forge or take apart a unit of work.
 */
import type { TransactItem } from './transact-item.js'

// A registered symbol: a Work built by another bundle's copy of core is still recognised.
const ITEMS = Symbol.for('relay.core.work.items')

declare const brand: unique symbol

/** Opaque: build with {@link work} or {@link combine}. */
export interface Work {
  readonly [brand]: 'Work'
}

interface WorkValue {
  readonly [ITEMS]: readonly TransactItem[]
}

/**
 * A unit of work of the given transaction items (store modules only).
 *
 * @example
 * export function countContacts(tenantId: string, delta: number): Work {
 *   return work({ Update: { TableName: table(), Key: summaryKey(tenantId), UpdateExpression: 'ADD n :d', ExpressionAttributeValues: { ':d': delta } } })
 * }
 */
export function work(...items: TransactItem[]): Work {
  return Object.freeze({ [ITEMS]: Object.freeze([...items]) }) as unknown as Work
}

/** One unit of work doing all of `works` (undefined entries are skipped). */
export function combine(...works: readonly (Work | undefined)[]): Work {
  return work(...works.flatMap((w) => itemsOf(w)))
}

/** True for a value built by {@link work} (by any copy of core). */
export function isWork(value: unknown): value is Work {
  return typeof value === 'object' && value !== null && Array.isArray((value as WorkValue)[ITEMS])
}

/** The transaction items of a unit of work: for core's own use (the code that commits it). */
export function itemsOf(value: Work | undefined): TransactItem[] {
  if (value === undefined) return []
  if (!isWork(value)) throw new TypeError('Not a unit of work: build it with work(...) or combine(...)')
  return [...(value as unknown as WorkValue)[ITEMS]]
}
