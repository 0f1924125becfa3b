/**
 * Demo data for tenant `demo`, so a new user sees real numbers and charts at once.
 *
 * | what | how |
 * | ---- | --- |
 * | contacts (names in many scripts), reporting settings, open deals | through the gateway's own routes with an admin token, exactly as a client would (validation, idempotency and events included) |
 * | purchases and web visits over the months | `POST /contacts/{id}/interactions` with a past `occurredAt` (the route allows it) |
 * | the history of the other services (deals won and lost, leads, tickets, campaign emails), {@link HISTORY_MONTHS} months | backdated events put on the local bus, as replaying the EventBridge archive of a running tenant would (`demo-history.ts`; the producers' own tables do not hold them, every subscriber does) |
 * | customer scores | the `score-customers` schedule triggered once the bus is idle |
 *
 * Loading twice is harmless: contacts are keyed (idempotency, then `EmailTaken`'s existing id), and
 * the history is only published when a contact was new, with event ids that subscribers dedupe.
 */
import { type DemoContact, demoHistory, type HistoryEntry, type PurchasePlan } from './demo-history.js'
import type { LocalService } from './invoke.js'

/** 30 complete months: two seasons for Holt-Winters to learn the yearly shape from, and four to backtest on. */
export const HISTORY_MONTHS = 30
/** PutEvents takes at most 10 entries; the bus is fed in slices so its journal stays small. */
const PUT_BATCH = 10
const PUBLISH_SLICE = 500

/** What the demo needs of a running runtime (not the runtime's type: runtime.ts imports this file). */
export interface DemoTarget {
  url: string
  services: readonly LocalService[]
  token(tenant: string, roles: readonly string[], user?: string): Promise<string>
  /** The local bus; without it the history is skipped. */
  bus?: {
    putEvents(entries: readonly HistoryEntry[]): Promise<{ FailedEntryCount: number }>
    idle(): Promise<void>
  }
  triggerSchedule?(service: string, name: string): Promise<unknown>
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

type Person = { firstName: string; lastName: string; email: string; company: string }

const MORE_FIRST = [
  'Ploy',
  'Rhys',
  'Aiko',
  'Omar',
  'Lucía',
  'Jonas',
  'Olga',
  'Nia',
  'Kiet',
  'Anong',
  'Gethin',
  'Hana',
]
const MORE_LAST = [
  'Srisuk',
  'ap Dafydd',
  'Tanaka',
  'Farouk',
  'Moreno',
  'Krüger',
  'Ivanova',
  'Evans',
  'Nguyễn',
  'Wongsa',
]

/** The demo's customers: the people above and more, enough for quintiles and co-occurrence to mean something. */
export function demoPeople(total = 30): Person[] {
  const out: Person[] = [...DEMO_PEOPLE]
  for (let i = 0; out.length < total; i++) {
    const firstName = MORE_FIRST[i % MORE_FIRST.length]!
    const lastName = MORE_LAST[(i * 7) % MORE_LAST.length]!
    out.push({
      firstName,
      lastName,
      email: `customer${i + 1}@example.com`,
      company: `${lastName} Co.`,
    })
  }
  return out
}

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

interface Answer {
  status: number
  body: { id?: unknown; existingId?: unknown } | undefined
  replayed: boolean
}
interface Api {
  post(path: string, body: unknown, key?: string): Promise<Answer>
  put(path: string, body: unknown): Promise<Answer>
  has(method: string, path: string): boolean
}

function api(runtime: DemoTarget, token: string): Api {
  const routes = new Set(
    runtime.services.flatMap((s) => s.manifest.routes.map((r) => `${r.method} ${r.path}`)),
  )
  const send = async (method: string, path: string, body: unknown, key?: string) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {}
    return {
      status: res.status,
      body: parsed && typeof parsed === 'object' ? (parsed as Answer['body']) : undefined,
      replayed: res.headers.get('idempotency-replayed') === 'true',
    }
  }
  return {
    post: (path, body, key) => send('POST', path, body, key),
    put: (path, body) => send('PUT', path, body),
    has: (method, path) => routes.has(`${method} ${path}`),
  }
}

/** Creates the demo contacts through `POST /contacts`; their ids, and how many were new. */
async function loadContacts(runtime: DemoTarget, client: Api, log: (line: string) => void) {
  const route = runtime.services
    .flatMap((s) => s.manifest.routes)
    .find((r) => r.method === 'POST' && r.path === '/contacts')
  const contacts: DemoContact[] = []
  let created = 0
  for (const person of demoPeople()) {
    // Stable key: loading the demo twice within a day does not duplicate anyone.
    const res = await client.post('/contacts', demoBody(route?.example, person), `demo-${person.email}`)
    const id = res.body?.id ?? res.body?.existingId
    if (res.status < 300 && !res.replayed) created++
    else if (res.status !== 409 && res.status >= 300)
      log(
        `demo: POST /contacts for ${person.email} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
      )
    if (typeof id === 'string')
      contacts.push({ id, email: person.email, name: `${person.firstName} ${person.lastName}` })
  }
  log(
    `demo: ${created} contact(s) created for tenant "demo" (${demoPeople().length - created} skipped or existing)`,
  )
  return { contacts, created }
}

/**
 * Purchases and web visits through the contacts API: contacts in parallel (8 at a time), each
 * contact's own in order, since logging one moves the contact's version and two at once conflict.
 */
async function logInteractions(client: Api, plans: readonly PurchasePlan[]): Promise<number> {
  const byContact = new Map<string, PurchasePlan[]>()
  for (const p of plans) byContact.set(p.contactId, [...(byContact.get(p.contactId) ?? []), p])
  const queues = [...byContact.values()]
  let ok = 0
  const lane = async () => {
    for (let q = queues.shift(); q; q = queues.shift())
      for (const [k, p] of q.entries()) {
        const res = await client.post(
          `/contacts/${p.contactId}/interactions`,
          p.body,
          `demo-interaction-${p.contactId}-${k}-${p.body.occurredAt}`,
        )
        if (res.status < 300) ok++
      }
  }
  await Promise.all(Array.from({ length: 8 }, lane))
  return ok
}

/** A few open deals today, so the open and weighted pipeline are real records of the pipeline service. */
async function openDeals(client: Api, contacts: readonly DemoContact[]): Promise<number> {
  let ok = 0
  for (const [i, c] of contacts.slice(0, 6).entries()) {
    const res = await client.post(
      '/deals',
      {
        name: `${c.name}: renewal`,
        amount: { amountMinor: (i + 1) * 2_500_000, currency: 'THB' },
        contactId: c.id,
      },
      `demo-open-deal-${c.id}`,
    )
    if (res.status < 300) ok++
  }
  return ok
}

/** The history onto the bus (PutEvents batches), then waits until every subscriber has it. */
async function publishHistory(
  bus: NonNullable<DemoTarget['bus']>,
  entries: readonly HistoryEntry[],
): Promise<number> {
  let failed = 0
  for (let i = 0; i < entries.length; i += PUBLISH_SLICE) {
    const slice = entries.slice(i, i + PUBLISH_SLICE)
    for (let k = 0; k < slice.length; k += PUT_BATCH)
      failed += (await bus.putEvents(slice.slice(k, k + PUT_BATCH))).FailedEntryCount
    await bus.idle()
  }
  return failed
}

/** Loads the demo (see the table at the top); skips, with a message, what the running services do not offer. */
export async function loadDemo(
  runtime: DemoTarget,
  log: (line: string) => void,
  options: { months?: number; scale?: number; now?: Date } = {},
): Promise<void> {
  const client = api(runtime, await runtime.token('demo', ['admin'], 'u-demo-admin'))
  if (!client.has('POST', '/contacts')) {
    log('demo: no POST /contacts route yet; skipping demo data')
    return
  }
  const started = Date.now()
  const { contacts, created } = await loadContacts(runtime, client, log)
  if (created === 0 || contacts.length === 0) return
  if (client.has('PUT', '/analytics/settings')) {
    // Before any history: the zone decides the day each event counts on.
    const res = await client.put('/analytics/settings', {
      timeZone: 'Asia/Bangkok',
      baseCurrency: 'THB',
      rates: [{ currency: 'USD', rate: '35.5' }],
    })
    if (res.status >= 300) log(`demo: PUT /analytics/settings → ${res.status}`)
  }
  const months = options.months ?? HISTORY_MONTHS
  const { entries, purchases } = demoHistory({
    now: options.now ?? new Date(),
    months,
    contacts,
    scale: options.scale ?? 1,
  })
  const logged = client.has('POST', '/contacts/{id}/interactions')
    ? await logInteractions(client, purchases)
    : 0
  const deals = client.has('POST', '/deals') ? await openDeals(client, contacts) : 0
  if (!runtime.bus) {
    log('demo: no local bus; history skipped')
    return
  }
  const failed = await publishHistory(runtime.bus, entries)
  const scored = runtime.services.some((s) => s.manifest.schedules.some((x) => x.name === 'score-customers'))
  if (scored && runtime.triggerSchedule) await runtime.triggerSchedule('analytics', 'score-customers')
  log(
    `demo: ${months} months of history: ${entries.length - failed} backdated events on the local bus (deals, leads, tickets, campaign emails, as an archive replay), ` +
      `${logged} purchases and visits logged through the API, ${deals} open deals${scored ? ', customers scored' : ''} ` +
      `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
  )
}
