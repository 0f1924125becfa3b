import { TooLarge } from '../outcomes.js'
import { assertOption, type HttpMiddleware, state } from './types.js'

/** Default body limit of a route's `maxBodyBytes`. */
export const DEFAULT_MAX_BODY_BYTES = 65_536

/**
 * 413 when the body (decoded from base64 when API Gateway encoded it) is over `maxBytes`; else
 * the body as text for the later steps.
 */
export function bodyLimit(options: { maxBytes?: number } = {}): HttpMiddleware {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES
  assertOption(
    Number.isInteger(maxBytes) && maxBytes >= 0,
    'bodyLimit',
    'maxBytes must be a non-negative integer',
  )
  return {
    before: (request) => {
      const { body, isBase64Encoded } = request.event
      if (body === undefined || body === null) return
      const internal = state(request)
      if (isBase64Encoded) {
        // Base64 is 4/3 of the bytes: refuse a huge body before decoding it.
        if (body.length > Math.ceil((maxBytes * 4) / 3) + 4) throw new TooLarge(maxBytes)
        const bytes = Buffer.from(body, 'base64')
        if (bytes.length > maxBytes) throw new TooLarge(maxBytes)
        internal.bodyBytes = bytes
        internal.rawBody = bytes.toString('utf8')
        return
      }
      if (body.length > maxBytes || Buffer.byteLength(body, 'utf8') > maxBytes) throw new TooLarge(maxBytes)
      internal.rawBody = body
    },
  }
}
