/**
 * Cross-sell and up-sell suggestions per contact from what similar customers bought, pure: item-to-
 * item collaborative filtering on co-occurrence (Amazon's classic method, Linden et al. 2003).
 *
 * | step | rule |
 * | ---- | ---- |
 * | similarity | cos(i, j) = customers who bought both / √(customers of i · customers of j), only with ≥ {@link MIN_SUPPORT} such customers |
 * | score      | a product the contact has not bought: Σ cos(owned, it) over what they own |
 * | kind       | `up_sell` when its median unit price is over {@link UPSELL_PRICE_RATIO} × the dearest price the contact paid for the products behind it; else `cross_sell` |
 * | keep       | the best {@link MAX_SUGGESTIONS}, ties by product id |
 *
 * The support floor keeps one odd basket from becoming advice.
 */
import type { Suggestion } from '@relay/contracts/analytics-events'
import { median } from './robust.js'

export const MIN_SUPPORT = 2
export const UPSELL_PRICE_RATIO = 1.5
export const MAX_SUGGESTIONS = 3

export interface BoughtItem {
  productId: string
  name: string
  unitPriceMinor: number
}

export interface Basket {
  contactId: string
  items: readonly BoughtItem[]
}

/** Every contact's suggestions (contacts with none are present with an empty list). */
export function suggestFor(baskets: readonly Basket[]): Map<string, Suggestion[]> {
  const owners = new Map<string, Set<string>>()
  const names = new Map<string, string>()
  const prices = new Map<string, number[]>()
  const owned = new Map<string, Map<string, number>>()
  for (const b of baskets) {
    const mine = owned.get(b.contactId) ?? new Map<string, number>()
    for (const item of b.items) {
      if (!owners.has(item.productId)) owners.set(item.productId, new Set())
      owners.get(item.productId)!.add(b.contactId)
      names.set(item.productId, item.name)
      prices.set(item.productId, [...(prices.get(item.productId) ?? []), item.unitPriceMinor])
      mine.set(item.productId, Math.max(mine.get(item.productId) ?? 0, item.unitPriceMinor))
    }
    owned.set(b.contactId, mine)
  }
  const together = new Map<string, number>()
  const pair = (i: string, j: string) => (i < j ? `${i}\u0000${j}` : `${j}\u0000${i}`)
  for (const mine of owned.values()) {
    const items = [...mine.keys()]
    for (let a = 0; a < items.length; a++)
      for (let b = a + 1; b < items.length; b++) {
        const k = pair(items[a]!, items[b]!)
        together.set(k, (together.get(k) ?? 0) + 1)
      }
  }
  const similarity = (i: string, j: string): number => {
    const both = together.get(pair(i, j)) ?? 0
    if (both < MIN_SUPPORT) return 0
    return both / Math.sqrt(owners.get(i)!.size * owners.get(j)!.size)
  }
  const typicalPrice = new Map([...prices].map(([id, p]) => [id, median(p)]))
  const out = new Map<string, Suggestion[]>()
  for (const [contactId, mine] of owned) {
    const candidates: Suggestion[] = []
    for (const productId of owners.keys()) {
      if (mine.has(productId)) continue
      let score = 0
      const because: string[] = []
      for (const have of mine.keys()) {
        const s = similarity(have, productId)
        if (s > 0) {
          score += s
          because.push(have)
        }
      }
      if (score === 0) continue
      const paid = Math.max(...because.map((id) => mine.get(id)!))
      candidates.push({
        productId,
        name: names.get(productId)!,
        kind: typicalPrice.get(productId)! > UPSELL_PRICE_RATIO * paid ? 'up_sell' : 'cross_sell',
        score: Math.round(score * 1000) / 1000,
        because: because.sort(),
      })
    }
    candidates.sort((a, b) => b.score - a.score || a.productId.localeCompare(b.productId))
    out.set(contactId, candidates.slice(0, MAX_SUGGESTIONS))
  }
  return out
}
