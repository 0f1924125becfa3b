/**
 * The local-only routes under `/_local/` (no token: the gateway listens on loopback only): the
 * mailbox, the bus's events and dead letters, the schedules. Each piece of the runtime contributes
 * its routes as a {@link LocalRoute} list, so a new local endpoint adds routes without touching the
 * gateway.
 */
import type { LocalBus } from './bus.js'
import type { LocalAnswer } from './gateway.js'
import { problemBody } from './problem.js'
import type { Scheduler } from './scheduler.js'
import type { Mailbox } from './ses.js'

export interface LocalRequest {
  /** Decoded path segments after `/_local/`, matched against the route's pattern. */
  params: Record<string, string>
  query: URLSearchParams
  body: string
}

export interface LocalRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Relative to `/_local/`, segments `{name}` captured, e.g. `mail/{id}`. */
  path: string
  handle(request: LocalRequest): Promise<LocalAnswer | undefined> | LocalAnswer | undefined
}

const notFound = (detail: string): LocalAnswer => ({ status: 404, body: problemBody(404, detail) })

/** Routes of the mailbox, the bus and the scheduler. */
export function coreLocalRoutes(parts: { mail: Mailbox; bus: LocalBus; scheduler: Scheduler }): LocalRoute[] {
  const { mail, bus, scheduler } = parts
  return [
    {
      method: 'GET',
      path: 'mail',
      handle: async () => ({ status: 200, body: { items: await mail.list() } }),
    },
    {
      method: 'GET',
      path: 'mail/{id}',
      handle: async ({ params }) => {
        const message = await mail.get(params.id!)
        return message ? { status: 200, body: message } : notFound(`No mail with id ${params.id}`)
      },
    },
    { method: 'GET', path: 'events', handle: () => ({ status: 200, body: { items: bus.events() } }) },
    {
      method: 'GET',
      path: 'dead-letters',
      handle: () => ({ status: 200, body: { items: bus.deadLetters() } }),
    },
    {
      method: 'POST',
      path: 'dead-letters/redrive',
      handle: async ({ body }) => {
        let ids: string[] | undefined
        try {
          const parsed = body ? (JSON.parse(body) as { ids?: unknown }) : {}
          if (Array.isArray(parsed.ids)) ids = parsed.ids.map(String)
        } catch {
          return { status: 400, body: problemBody(400, 'Body must be JSON like {"ids": ["..."]} or empty') }
        }
        return { status: 200, body: { redriven: await bus.redrive(ids) } }
      },
    },
    { method: 'GET', path: 'schedules', handle: () => ({ status: 200, body: { items: scheduler.list() } }) },
    {
      method: 'POST',
      path: 'schedules/{service}/{name}',
      handle: async ({ params: { service, name } }) => {
        if (!scheduler.list().some((s) => s.service === service && s.name === name)) return undefined
        try {
          const result = await scheduler.trigger(service!, name!)
          return { status: 200, body: { triggered: `${service}/${name}`, result: result ?? null } }
        } catch (err) {
          return {
            status: 500,
            body: { ...problemBody(500, (err as Error).message), triggered: `${service}/${name}` },
          }
        }
      },
    },
  ]
}

/**
 * One handler for a list of local routes; `segments` are the decoded segments after `/_local/`.
 * Undefined when no route matches (the gateway answers 404).
 */
export function localRouter(
  routes: readonly LocalRoute[],
): (
  method: string,
  segments: readonly string[],
  query: URLSearchParams,
  body: string,
) => Promise<LocalAnswer | undefined> {
  const compiled = routes.map((route) => ({ route, pattern: route.path.split('/') }))
  return async (method, segments, query, body) => {
    for (const { route, pattern } of compiled) {
      if (route.method !== method || pattern.length !== segments.length) continue
      const params: Record<string, string> = {}
      const matches = pattern.every((p, i) => {
        const capture = /^\{(\w+)\}$/.exec(p)
        if (capture) params[capture[1]!] = segments[i]!
        return capture ? segments[i] !== '' : p === segments[i]
      })
      if (matches) return await route.handle({ params, query, body })
    }
    return undefined
  }
}
