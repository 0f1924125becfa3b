/**
 * Demo data, loaded through the gateway's own routes with an admin token of tenant `demo`, exactly
 * as a client would (so it exercises validation, idempotency and events too).
 */
import type { LocalService } from './invoke.js'

/** What the demo needs of a running runtime (not the runtime's type: runtime.ts imports this file). */
export interface DemoTarget {
  url: string
  services: readonly LocalService[]
  token(tenant: string, roles: readonly string[], user?: string): Promise<string>
}

/** People whose names are in several scripts: folding, sorting and Thai word breaks get exercised. */
export const DEMO_PEOPLE = [
  { firstName: 'สมชาย', lastName: 'ใจดี', email: 'somchai@example.co.th', company: 'บริษัท ตัวอย่าง จำกัด' },
  {
    firstName: 'Siân',
    lastName: 'Llywelyn',
    email: 'sian.llywelyn@example.cymru',
    company: 'Cwmni Enghraifft',
  },
  { firstName: '陽子', lastName: '山田', email: 'yoko.yamada@example.jp', company: '株式会社サンプル' },
  { firstName: 'ليلى', lastName: 'حداد', email: 'layla.haddad@example.ae', company: 'شركة المثال' },
  { firstName: 'José', lastName: 'Álvarez Núñez', email: 'jose.alvarez@example.es', company: 'Ejemplo S.L.' },
  { firstName: 'Zoë', lastName: 'Ünal', email: 'zoe.unal@example.de', company: 'Beispiel GmbH' },
  { firstName: 'Алексей', lastName: 'Смирнов', email: 'aleksey.smirnov@example.com', company: 'Пример' },
] as const

type Person = (typeof DEMO_PEOPLE)[number]

/** Shapes a person like the route's own example body, so the demo follows the contract it finds. */
export function demoBody(example: unknown, person: Person): Record<string, unknown> {
  const body: Record<string, unknown> =
    example && typeof example === 'object' && !Array.isArray(example)
      ? structuredClone(example as Record<string, unknown>)
      : { firstName: '', lastName: '', emails: [] }
  if ('firstName' in body) body.firstName = person.firstName
  if ('lastName' in body) body.lastName = person.lastName
  if ('name' in body) body.name = `${person.firstName} ${person.lastName}`
  if ('displayName' in body) body.displayName = `${person.firstName} ${person.lastName}`
  if ('company' in body) body.company = person.company
  if ('companyName' in body) body.companyName = person.company
  if ('email' in body) body.email = person.email
  if (Array.isArray(body.emails)) {
    const first = body.emails[0]
    body.emails = [
      first && typeof first === 'object'
        ? { ...first, address: person.email }
        : typeof first === 'string'
          ? person.email
          : { address: person.email },
    ]
  }
  if (!('firstName' in body) && !('name' in body) && !('displayName' in body)) {
    body.firstName = person.firstName
    body.lastName = person.lastName
  }
  return body
}

/** Creates the demo contacts through `POST /contacts`; skips (with a message) if the route does not exist. */
export async function loadDemo(runtime: DemoTarget, log: (line: string) => void): Promise<void> {
  const route = runtime.services
    .flatMap((s) => s.manifest.routes)
    .find((r) => r.method === 'POST' && r.path === '/contacts')
  if (!route) {
    log('demo: no POST /contacts route yet; skipping demo data')
    return
  }
  const token = await runtime.token('demo', ['admin'], 'u-demo-admin')
  let created = 0
  for (const person of DEMO_PEOPLE) {
    const res = await fetch(`${runtime.url}/contacts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        // Stable key: loading the demo twice within a day does not duplicate anyone.
        'idempotency-key': `demo-${person.email}`,
      },
      body: JSON.stringify(demoBody(route.example, person)),
    })
    const text = await res.text()
    if (res.status < 300) created++
    else if (res.status !== 409)
      log(`demo: POST /contacts for ${person.email} → ${res.status} ${text.slice(0, 300)}`)
  }
  log(
    `demo: ${created} contact(s) created for tenant "demo" (${DEMO_PEOPLE.length - created} skipped or existing)`,
  )
}
