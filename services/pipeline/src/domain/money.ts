/**
 * Money arithmetic, pure and exact: amounts are integer minor units, rates and probabilities are
 * rationals of BigInts, and a figure is rounded once, at the end, half to even (banker's rounding,
 * so rounding errors do not drift one way over many sums). No float ever touches an amount.
 */
import { minorUnitsOf } from '@relay/contracts/money'

/** An exact non-negative rational `num / den` (den > 0). */
export interface Ratio {
  num: bigint
  den: bigint
}

export const ZERO: Ratio = { num: 0n, den: 1n }

const gcd = (a: bigint, b: bigint): bigint => {
  let x = a < 0n ? -a : a
  let y = b
  while (y) [x, y] = [y, x % y]
  return x || 1n
}

const reduce = (r: Ratio): Ratio => {
  const g = gcd(r.num, r.den)
  return { num: r.num / g, den: r.den / g }
}

/** r + s, exact. */
export function add(r: Ratio, s: Ratio): Ratio {
  return reduce({ num: r.num * s.den + s.num * r.den, den: r.den * s.den })
}

/** r × s, exact. */
export function mul(r: Ratio, s: Ratio): Ratio {
  return reduce({ num: r.num * s.num, den: r.den * s.den })
}

/** A whole number as a ratio. */
export const whole = (n: number | bigint): Ratio => ({ num: BigInt(n), den: 1n })

/**
 * A decimal string as an exact ratio, e.g. `"0.9215"` → 9215/10000. Throws on anything else.
 *
 * @example
 * parseDecimal('1.5') // { num: 3n, den: 2n }
 */
export function parseDecimal(text: string): Ratio {
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(text)
  if (!m) throw new Error(`Not a decimal: ${text}`)
  const frac = m[2] ?? ''
  return reduce({ num: BigInt(`${m[1]}${frac}`), den: 10n ** BigInt(frac.length) })
}

/**
 * Rounds a ratio to an integer, half to even: 2.5 → 2, 3.5 → 4, 2.51 → 3. Returns a safe number;
 * throws if the result is not a safe integer (an amount no currency needs).
 */
export function roundHalfEven(r: Ratio): number {
  const q = r.num / r.den
  const rem = r.num % r.den
  const twice = rem * 2n
  let out = q
  if (twice > r.den || (twice === r.den && q % 2n !== 0n)) out = q + 1n
  if (out > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('Amount exceeds the safe integer range')
  return Number(out)
}

/**
 * Minor units of `from` converted to minor units of `to` at `rate` (1 major `from` = rate major
 * `to`), exact: amount × rate × 10^(digits(to) − digits(from)). Round with {@link roundHalfEven}
 * only when reporting.
 *
 * @example
 * convert(1000n, 'JPY', 'EUR', parseDecimal('0.0062')) // 1000 JPY → 6.2 EUR = 620 cents
 */
export function convert(amountMinor: number | bigint, from: string, to: string, rate: Ratio): Ratio {
  const dFrom = minorUnitsOf(from)
  const dTo = minorUnitsOf(to)
  if (dFrom === undefined || dTo === undefined) throw new Error(`Unknown currency ${from} or ${to}`)
  const shift = dTo - dFrom
  const scale: Ratio = shift >= 0 ? whole(10n ** BigInt(shift)) : { num: 1n, den: 10n ** BigInt(-shift) }
  return mul(mul(whole(amountMinor), rate), scale)
}

/** One line's total: quantity × unit price × (100 − discount%) / 100, rounded half to even. */
export function lineTotalMinor(quantity: number, unitPriceMinor: number, discountPercent: number): number {
  return roundHalfEven({
    num: BigInt(quantity) * BigInt(unitPriceMinor) * BigInt(100 - discountPercent),
    den: 100n,
  })
}

/** Sum of minor amounts, checked to stay a safe integer. */
export function sumMinor(amounts: readonly number[]): number {
  const total = amounts.reduce((a, b) => a + BigInt(b), 0n)
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('Amount exceeds the safe integer range')
  return Number(total)
}
