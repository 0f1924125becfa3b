/**
 * Phone numbers to E.164 with libphonenumber-js (its `min` metadata: ~80 KB, enough to tell a
 * number's country and valid lengths). Pure.
 */
import { isSupportedCountry, parsePhoneNumberWithError } from 'libphonenumber-js/min'

/** A number as stored: E.164 plus the extension apart. */
export interface E164 {
  number: string
  extension?: string
}

/** Why a number was refused, in words for the problem's `errors[]`. */
export interface PhoneRefusal {
  code: 'invalid_phone' | 'region_required' | 'invalid_region'
  message: string
}

/** True for a region libphonenumber knows (`TH`, `GB`...). */
export function isKnownRegion(region: string): boolean {
  return isSupportedCountry(region)
}

/**
 * The E.164 form of `raw`, read with `region` when it has no `+<country code>`.
 *
 * @example
 * toE164('02 123 4567', 'TH') // { number: '+6621234567' }
 * toE164('+44 29 2018 0000 ext. 12') // { number: '+442920180000', extension: '12' }
 */
export function toE164(raw: string, region?: string): E164 | PhoneRefusal {
  const text = raw.trim()
  if (region !== undefined && !isSupportedCountry(region)) {
    return { code: 'invalid_region', message: `Unknown region ${region}` }
  }
  if (!text.startsWith('+') && region === undefined) {
    return {
      code: 'region_required',
      message: 'Write the number with +<country code>, or give defaultRegion (or set it for the tenant)',
    }
  }
  try {
    const parsed = parsePhoneNumberWithError(text, region as Parameters<typeof parsePhoneNumberWithError>[1])
    if (!parsed.isValid()) return { code: 'invalid_phone', message: 'Not a valid phone number' }
    return { number: parsed.number, ...(parsed.ext ? { extension: parsed.ext } : {}) }
  } catch {
    return { code: 'invalid_phone', message: 'Not a valid phone number' }
  }
}

/** True when `v` is a refusal rather than a number. */
export function isRefusal(v: E164 | PhoneRefusal): v is PhoneRefusal {
  return 'code' in v
}

/** The national significant number of an E.164 number (`+6621234567` → `21234567`), if it parses. */
export function nationalNumberOf(e164: string): string | undefined {
  try {
    return parsePhoneNumberWithError(e164).nationalNumber
  } catch {
    return undefined
  }
}
