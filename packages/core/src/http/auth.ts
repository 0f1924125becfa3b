import { ROLES, type Role } from '../manifest.js'
import { NotAllowed, Unauthenticated } from '../outcomes.js'
import { assertOption, type Caller, type HttpMiddleware, state } from './types.js'

/**
 * Groups claim as API Gateway HTTP API delivers it: `[admin sales]` (a stringified array), a real
 * array, or comma-separated `admin,sales`. A JSON array string is accepted too.
 */
export function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean)
  if (typeof value !== 'string') return []
  let text = value.trim()
  if (text.startsWith('[') && text.endsWith(']')) {
    if (text.includes('"')) {
      try {
        const parsed: unknown = JSON.parse(text)
        if (Array.isArray(parsed)) return parseGroups(parsed)
      } catch {
        // not JSON: fall through to the HTTP API form
      }
    }
    text = text.slice(1, -1)
  }
  return text
    .split(/[\s,]+/)
    .map((g) => g.replace(/^"|"$/g, ''))
    .filter(Boolean)
}

const KNOWN_ROLES: ReadonlySet<string> = new Set(ROLES)

/**
 * The caller from JWT claims (`custom:tenantId`, `sub`, `cognito:groups`), or undefined when the
 * tenant or subject is missing or unusable. Groups that are not known roles are ignored.
 */
export function parseCaller(claims: Record<string, unknown> | undefined): Caller | undefined {
  if (!claims) return undefined
  const tenantId = claims['custom:tenantId']
  const userId = claims.sub
  // '#' would let a tenant reach into another tenant's key space (T#a#b...).
  if (typeof tenantId !== 'string' || !tenantId || tenantId.includes('#') || tenantId.length > 128)
    return undefined
  if (typeof userId !== 'string' || !userId) return undefined
  const roles = [...new Set(parseGroups(claims['cognito:groups']))].filter((g): g is Role =>
    KNOWN_ROLES.has(g),
  )
  return { tenantId, userId, roles }
}

/** Tenant, subject and roles from the JWT authorizer's claims: 401 without them, 403 without an allowed role. */
export function auth(options: { roles: readonly Role[] | 'public' }): HttpMiddleware {
  const { roles } = options ?? {}
  assertOption(
    roles === 'public' ||
      (Array.isArray(roles) && roles.every((r) => (ROLES as readonly string[]).includes(r))),
    'auth',
    `roles must be 'public' or a list of ${ROLES.join(', ')}`,
  )
  return {
    before: (request) => {
      if (roles === 'public') return
      const authorizer = (
        request.event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }
      )?.authorizer
      const caller = parseCaller(authorizer?.jwt?.claims)
      if (!caller) throw new Unauthenticated()
      if (!caller.roles.some((r) => roles.includes(r))) throw new NotAllowed()
      state(request).caller = caller
    },
  }
}
