/**
 * Money in contracts: an integer amount in the currency's minor units plus an ISO 4217 code.
 * Never a float: `{ amountMinor: 1999, currency: 'EUR' }` is €19.99, `{ amountMinor: 1999, currency: 'JPY' }`
 * is ¥1,999 and `{ amountMinor: 1999, currency: 'KWD' }` is 1.999 KWD.
 */
import * as z from 'zod/mini'

/**
 * Active ISO 4217 codes and their minor units (ISO's "E" column), as published by the ISO 4217
 * maintenance agency (list one). Codes not here (XXX, XTS, metals, withdrawn codes) are rejected.
 */
const MINOR_UNITS_EXCEPTIONS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
}

const TWO_DIGIT_CODES =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD ' +
  'CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ ' +
  'GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK ' +
  'MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB ' +
  'SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN ' +
  'UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG'

/** Minor units (decimal places) of every accepted currency, keyed by ISO 4217 code. */
export const CURRENCY_MINOR_UNITS: Readonly<Record<string, number>> = Object.freeze({
  ...Object.fromEntries(TWO_DIGIT_CODES.split(' ').map((code) => [code, 2])),
  ...MINOR_UNITS_EXCEPTIONS,
})

/**
 * Decimal places of a currency's minor unit, or undefined for a code that is not an active ISO 4217 code.
 *
 * @example
 * minorUnitsOf('JPY') // 0
 * minorUnitsOf('KWD') // 3
 */
export function minorUnitsOf(code: string): number | undefined {
  return Object.hasOwn(CURRENCY_MINOR_UNITS, code) ? CURRENCY_MINOR_UNITS[code] : undefined
}

/** An active ISO 4217 currency code, upper case (`EUR`, `JPY`). */
export const CurrencyCode = z.string().check(
  z.regex(/^[A-Z]{3}$/, 'Must be an ISO 4217 code such as EUR'),
  z.refine((c) => minorUnitsOf(c) !== undefined, 'Must be an active ISO 4217 currency code'),
)

/** An amount in minor units: a non-negative safe integer (never a float). */
export const MinorAmount = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER))

/** Integer minor units plus currency. */
export const Money = z.strictObject({ amountMinor: MinorAmount, currency: CurrencyCode })
export type Money = z.infer<typeof Money>
