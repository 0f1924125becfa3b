/**
 * The ownership rule, for routes that declare `ownerField` (the body field naming the record's
 * owner, e.g. `ownerId`):
 *
 * | request        | caller without manager/admin          | manager or admin |
 * | -------------- | ------------------------------------- | ---------------- |
 * | POST (create)  | may omit it or name only themselves    | anyone           |
 * | PATCH / PUT    | may not set it (reassigning is theirs) | anyone           |
 *
 * A refusal is 403 problem+json naming the field. Runs after validation, on the validated body.
 */

import type { Role } from '../manifest.js'
import { NotAllowed } from '../outcomes.js'
import { assertOption, type HttpMiddleware, methodOf, state } from './types.js'

/** Roles that may assign records to anyone and reassign them. */
export const ASSIGNERS: readonly Role[] = ['admin', 'manager']

export function ownership(options: { field: string }): HttpMiddleware {
  const { field } = options ?? {}
  assertOption(typeof field === 'string' && field.length > 0, 'ownership', 'field must be a non-empty string')
  return {
    before: (request) => {
      const internal = state(request)
      const { caller } = internal
      if (caller.roles.some((r) => ASSIGNERS.includes(r))) return
      const body = internal.body
      if (!body || typeof body !== 'object' || !Object.hasOwn(body, field)) return
      const value = (body as Record<string, unknown>)[field]
      if (value === undefined) return
      const method = methodOf(request.event)
      if (method === 'POST' && (value === null || value === caller.userId)) return
      const detail =
        method === 'POST'
          ? `Only a manager or an admin may make someone else the owner (${field}).`
          : `Only a manager or an admin may change the owner (${field}).`
      throw new NotAllowed(detail, [{ field, code: 'not_owner', message: detail }])
    },
  }
}
