import { newId } from '../ids.js'
import type { Logger } from '../log.js'
import { ANONYMOUS, assertOption, type HttpMiddleware, state } from './types.js'

/** Only safe characters reach the logs and the response headers. */
const SAFE_ID = /^[\w.:-]{1,128}$/

function lowerCaseHeaders(headers: Record<string, string | undefined> | undefined) {
  const out: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v
  return out
}

/**
 * Correlation id (`x-correlation-id`, else API Gateway's request id, else a new id) on every log
 * line; lower-cased headers for the later steps.
 */
export function correlation(options: { logger: Logger }): HttpMiddleware {
  assertOption(
    typeof options?.logger?.appendPersistentKeys === 'function',
    'correlation',
    'logger is required',
  )
  return {
    before: (request) => {
      const headers = lowerCaseHeaders(request.event.headers)
      const given = headers['x-correlation-id']
      const internal = state(request)
      internal.correlationId =
        given && SAFE_ID.test(given) ? given : (request.event.requestContext?.requestId ?? newId())
      internal.headers = headers
      internal.caller = ANONYMOUS
      options.logger.appendPersistentKeys({ correlationId: internal.correlationId })
    },
  }
}
