/**
 * The demo's history, pure and deterministic (a seeded generator): months of business events across
 * every service, backdated, shaped by each service's event contracts, as the bus archive of a tenant
 * that has been running for a while would replay them. Same seed, contacts and clock → the same
 * events with the same ids, so loading the demo twice is deduped by every subscriber.
 *
 * | service      | per month (× growth, × season)                 | events |
 * | ------------ | ---------------------------------------------- | ------ |
 * | pipeline     | ~12 deals won, ~4 lost (cycles of 20-70 days), ~8 leads (40% qualified, some converted) | Deal.Created/Won/Lost, Lead.Created/Updated/Converted |
 * | service desk | ~12 tickets: solved a few days later, 40% rated | Ticket.Opened/Solved/Rated |
 * | campaigns    | one newsletter to ~60% of the contacts: ~45% open, ~12% click | Email.Sent/Opened/Clicked (a complaint now and then) |
 * | contacts     | purchases and web visits (logged through the API, see demo.ts) | Interaction.Logged |
 *
 * Built in: a yearly season (Q4 peak) on a growing trend; one outsized deal (the forecast must not
 * take it for the norm); a day of billing tickets far above the norm (the early warning); three
 * contacts who were active and went quiet in the last four months (churn risk); baskets that go
 * together (cross-sell) and a premium tier (up-sell).
 */

export interface DemoContact {
  id: string
  email: string
  name: string
}

/** A PutEvents entry, as the SDK sends it. */
export interface HistoryEntry {
  Source: string
  DetailType: string
  Detail: string
  /** ISO time of the original event (EventBridge `time`). */
  Time: string
}

export interface PurchasePlan {
  contactId: string
  body: {
    type: 'purchase' | 'web_visit'
    channel: string
    summary: string
    occurredAt: string
    amount?: { amountMinor: number; currency: string }
  }
}

export interface HistoryOptions {
  now: Date
  /** Complete months of history before the current one (plus the current month so far). */
  months: number
  contacts: readonly DemoContact[]
  seed?: number
  /** Multiplies every monthly volume (1 = the full demo; tests use a small slice). */
  scale?: number
}

export const DEFAULT_PIPELINE_ID = '00000000000000000000000000'
const OPEN_STAGES = ['qualification', 'discovery', 'proposal', 'negotiation'] as const
const OWNERS = ['u-demo-admin', 'u-demo-ploy', 'u-demo-rhys', 'u-demo-aiko'] as const
const CATEGORIES = ['billing', 'login', 'shipping', 'product'] as const
const CHANNELS = ['email', 'web', 'phone', 'chat', 'social'] as const
const PRIORITIES = ['low', 'normal', 'normal', 'high', 'urgent'] as const
const TYPES = ['question', 'incident', 'problem', 'task'] as const
const LEAD_SOURCES = ['web', 'referral', 'event', 'outbound', 'partner', 'ads'] as const
const LOST_REASONS = ['price', 'timing', 'competitor', 'no budget'] as const

/** Products (THB, minor units) and the baskets they are bought in. */
export const DEMO_PRODUCTS = {
  STARTER: { productId: 'P-STARTER', name: 'CRM Starter', price: 4_900_00 },
  ONBOARD: { productId: 'P-ONBOARD', name: 'Onboarding', price: 9_000_00 },
  PRO: { productId: 'P-PRO', name: 'CRM Pro', price: 14_900_00 },
  ANALYTICS: { productId: 'P-ANALYTICS', name: 'Analytics add-on', price: 12_000_00 },
  SUPPORT: { productId: 'P-SUPPORT', name: 'Support Plus', price: 6_000_00 },
  ENTERPRISE: { productId: 'P-ENTERPRISE', name: 'CRM Enterprise', price: 59_000_00 },
} as const
type ProductKey = keyof typeof DEMO_PRODUCTS
const BASKETS: readonly ProductKey[][] = [
  ['STARTER', 'ONBOARD'],
  ['STARTER', 'ONBOARD', 'SUPPORT'],
  ['PRO', 'ANALYTICS'],
  ['PRO', 'ANALYTICS', 'SUPPORT'],
  ['PRO', 'SUPPORT'],
  ['STARTER'],
]
/** One deal in twenty is the premium tier (the up-sell the suggestions point to). */
const PREMIUM: readonly ProductKey[] = ['ENTERPRISE', 'ANALYTICS', 'SUPPORT']
const PREMIUM_SHARE = 0.05

const DAY = 86_400_000
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** mulberry32: small, fast, good enough to make a demo look lived-in. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A ULID for time `ms` whose random part comes from `rand`: sortable by time, reproducible. */
function ulid(ms: number, rand: () => number): string {
  let time = ''
  let t = ms
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time
    t = Math.floor(t / 32)
  }
  let tail = ''
  for (let i = 0; i < 16; i++) tail += CROCKFORD[Math.floor(rand() * 32)]!
  return time + tail
}

/** The months' first instants (UTC), oldest first, ending with the current month. */
function monthStarts(now: Date, months: number): number[] {
  return Array.from({ length: months + 1 }, (_, k) =>
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months + k, 1),
  )
}

/** Builds the history. Nothing is later than `now`. */
export function demoHistory(options: HistoryOptions): { entries: HistoryEntry[]; purchases: PurchasePlan[] } {
  const rand = rng(options.seed ?? 20_260_101)
  const scale = options.scale ?? 1
  const now = options.now.getTime()
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo)
  const count = (mean: number) =>
    Math.max(0, Math.round(mean * scale + (rand() - 0.5) * 2 * Math.sqrt(mean * scale)))
  const contacts = options.contacts
  // The last three contacts were regulars until four months ago: churn risks.
  const quiet = new Set(contacts.slice(-3).map((c) => c.id))
  const active = (c: DemoContact, t: number) => !quiet.has(c.id) || t < now - 120 * DAY
  const entries: HistoryEntry[] = []
  const purchases: PurchasePlan[] = []
  const emit = (source: string, detailType: string, at: number, data: unknown) => {
    if (at > now) return
    const occurredAt = new Date(at).toISOString()
    const detail = {
      id: ulid(at, rand),
      tenantId: 'demo',
      occurredAt,
      version: 1,
      correlationId: 'demo-history',
      data,
    }
    entries.push({ Source: source, DetailType: detailType, Detail: JSON.stringify(detail), Time: occurredAt })
  }
  const starts = monthStarts(options.now, options.months)
  const spikeMonth = Math.max(0, starts.length - 9)
  const billingSpikeDay = now - 40 * DAY

  starts.forEach((start, m) => {
    const end = m + 1 < starts.length ? starts[m + 1]! : now
    const inMonth = () => start + rand() * (end - start)
    const month = new Date(start).getUTCMonth()
    // Q4 peak, Q2 trough; 3% growth a month.
    const factor = (1 + 0.35 * Math.cos((2 * Math.PI * (month - 10)) / 12)) * (1 + 0.03 * m)

    // Pipeline: deals won and lost.
    const wins = count(12 * factor)
    const losses = count(4 * (1 + 0.03 * m))
    for (let k = 0; k < wins + losses; k++) {
      const won = k < wins
      const closedAt = inMonth()
      const createdAt = closedAt - between(20, 70) * DAY
      const contact = pick(contacts)
      if (!active(contact, closedAt)) continue
      let basket = rand() < PREMIUM_SHARE ? PREMIUM : pick(BASKETS)
      const outsized = won && m === spikeMonth && k === 0
      if (outsized)
        basket = ['ENTERPRISE', 'ENTERPRISE', 'ENTERPRISE', 'ENTERPRISE', 'ENTERPRISE', 'ENTERPRISE']
      const lineItems = basket.map((key) => {
        const p = DEMO_PRODUCTS[key]
        return {
          productId: p.productId,
          name: p.name,
          sku: p.productId,
          quantity: 1,
          unitPriceMinor: p.price,
          discountPercent: 0,
          totalMinor: p.price,
          currency: 'THB',
        }
      })
      const amountMinor = lineItems.reduce((s, l) => s + l.totalMinor, 0) * (outsized ? 5 : 1)
      const id = ulid(createdAt, rand)
      const ownerId = pick(OWNERS)
      const visits = won ? [...OPEN_STAGES, 'won'] : [...OPEN_STAGES.slice(0, 3), 'lost']
      const stageHistory = visits.map((stageId, i) => ({
        stageId,
        enteredAt: new Date(createdAt + ((closedAt - createdAt) * i) / (visits.length - 1)).toISOString(),
        enteredBy: ownerId,
        ...(i < visits.length - 1
          ? {
              leftAt: new Date(
                createdAt + ((closedAt - createdAt) * (i + 1)) / (visits.length - 1),
              ).toISOString(),
            }
          : {}),
      }))
      const base = {
        id,
        name: `${contact.name}: ${lineItems.map((l) => l.name).join(' + ')}`,
        pipelineId: DEFAULT_PIPELINE_ID,
        amount: { amountMinor, currency: 'THB' },
        lineItems: outsized
          ? lineItems.map((l) => ({
              ...l,
              unitPriceMinor: l.unitPriceMinor * 5,
              totalMinor: l.totalMinor * 5,
            }))
          : lineItems,
        contactId: contact.id,
        ownerId,
        createdAt: new Date(createdAt).toISOString(),
      }
      emit('crm.pipeline', 'Deal.Created', createdAt, {
        ...base,
        stageId: 'qualification',
        status: 'open',
        stageHistory: [{ stageId: 'qualification', enteredAt: base.createdAt, enteredBy: ownerId }],
        version: 1,
        updatedAt: base.createdAt,
      })
      const closed = new Date(closedAt).toISOString()
      emit('crm.pipeline', won ? 'Deal.Won' : 'Deal.Lost', closedAt, {
        deal: {
          ...base,
          stageId: won ? 'won' : 'lost',
          status: won ? 'won' : 'lost',
          stageHistory,
          closedAt: closed,
          ...(won ? {} : { closedReason: pick(LOST_REASONS) }),
          version: visits.length,
          updatedAt: closed,
        },
        ...(won ? {} : { reason: pick(LOST_REASONS) }),
      })
    }

    // Pipeline: leads.
    for (let k = 0, n = count(8 * factor); k < n; k++) {
      const at = inMonth()
      const id = ulid(at, rand)
      const source = pick(LEAD_SOURCES)
      const lead = {
        id,
        firstName: 'Lead',
        lastName: `${m}-${k}`,
        email: `lead-${id.toLowerCase()}@example.com`,
        source,
        status: 'new',
        ownerId: pick(OWNERS),
        score: Math.round(between(10, 90)),
        version: 1,
        createdAt: new Date(at).toISOString(),
        updatedAt: new Date(at).toISOString(),
      }
      emit('crm.pipeline', 'Lead.Created', at, lead)
      if (rand() < 0.4) {
        const qualifiedAt = at + between(1, 10) * DAY
        emit('crm.pipeline', 'Lead.Updated', qualifiedAt, {
          id,
          version: 2,
          changes: { status: { before: 'new', after: 'qualified' } },
        })
        if (rand() < 0.15) {
          const convertedAt = qualifiedAt + between(1, 10) * DAY
          emit('crm.pipeline', 'Lead.Converted', convertedAt, {
            leadId: id,
            contactId: ulid(convertedAt, rand),
            contact: {
              firstName: lead.firstName,
              lastName: lead.lastName,
              email: lead.email,
              ownerId: lead.ownerId,
            },
            source,
          })
        }
      }
    }

    // Service desk: tickets, their resolution and ratings.
    const tickets = count(12 * (1 + 0.02 * m))
    const spikeHere = billingSpikeDay >= start && billingSpikeDay < end
    for (let k = 0; k < tickets + (spikeHere ? 14 : 0); k++) {
      const spike = k >= tickets
      const at = spike ? billingSpikeDay + k * 600_000 : inMonth()
      const contact = pick(contacts)
      const ticketId = ulid(at, rand)
      const dims = {
        channel: pick(CHANNELS),
        priority: pick(PRIORITIES),
        type: pick(TYPES),
        category: spike ? 'billing' : pick(CATEGORIES),
      }
      const ref = { ticketId, contactId: contact.id }
      const createdAt = new Date(at).toISOString()
      const subject = spike ? 'Charged twice this month' : `Question about ${dims.category}`
      emit('crm.service-desk', 'Ticket.Opened', at, {
        ...ref,
        ...dims,
        version: 1,
        subject,
        status: 'new',
        tags: [],
        createdAt,
      })
      const solvedAt = at + between(0.1, 4) * DAY
      if (solvedAt > now) continue
      const firstResponseMinutes = Math.round(between(5, 300))
      const resolutionMinutes = Math.round(between(60, 1500))
      const met = resolutionMinutes <= 960
      const solved = new Date(solvedAt).toISOString()
      emit('crm.service-desk', 'Ticket.Solved', solvedAt, {
        ...ref,
        ...dims,
        version: 4,
        subject,
        createdAt,
        solvedAt: solved,
        firstResponseMinutes,
        resolutionMinutes,
        calendarMinutes: Math.round((solvedAt - at) / 60_000),
        sla: [
          {
            target: 'first_response',
            targetMinutes: 240,
            actualMinutes: firstResponseMinutes,
            met: firstResponseMinutes <= 240,
          },
          { target: 'resolution', targetMinutes: 960, actualMinutes: resolutionMinutes, met },
        ],
        slaBreached: !met || firstResponseMinutes > 240,
        reopenCount: 0,
        replyCount: 2,
      })
      if (rand() < 0.4) {
        const ratedAt = solvedAt + between(0.1, 2) * DAY
        const score = Math.min(5, Math.max(1, Math.round(between(2.5, 5.4))))
        emit('crm.service-desk', 'Ticket.Rated', ratedAt, {
          ...ref,
          ...dims,
          version: 5,
          score,
          satisfied: score >= 4,
          hasComment: false,
          solvedAt: solved,
          ratedAt: new Date(ratedAt).toISOString(),
        })
      }
    }

    // Campaigns: the monthly newsletter to every contact.
    const campaignId = ulid(start + 2 * DAY, rand)
    const sentAt = start + between(2, 6) * DAY
    for (const c of contacts) {
      // Each month's segment is about 60% of the contacts (and fewer in a scaled-down slice).
      if (rand() > 0.6 * Math.min(1, scale)) continue
      const sendId = ulid(sentAt, rand)
      const base = { contactId: c.id, email: c.email, campaignId, variantId: 'A', sendId }
      emit('crm.campaigns', 'Email.Sent', sentAt, {
        ...base,
        occurredAt: new Date(sentAt).toISOString(),
        campaignName: 'Monthly newsletter',
      })
      if (!active(c, sentAt)) continue
      if (rand() < 0.45) {
        const openedAt = sentAt + between(0.01, 3) * DAY
        emit('crm.campaigns', 'Email.Opened', openedAt, {
          ...base,
          unique: true,
          occurredAt: new Date(openedAt).toISOString(),
        })
        if (rand() < 0.27) {
          const clickedAt = openedAt + between(0.001, 0.1) * DAY
          emit('crm.campaigns', 'Email.Clicked', clickedAt, {
            ...base,
            url: 'https://example.com/offer',
            linkIndex: 0,
            unique: true,
            occurredAt: new Date(clickedAt).toISOString(),
          })
        }
      } else if (rand() < 0.01) {
        const at = sentAt + DAY
        emit('crm.campaigns', 'Email.Complained', at, {
          ...base,
          feedbackType: 'abuse',
          occurredAt: new Date(at).toISOString(),
        })
      }
    }

    // Contacts: purchases in the web shop and site visits, logged through the API by demo.ts.
    for (let k = 0, n = count(4 * factor); k < n; k++) {
      const at = inMonth()
      const contact = pick(contacts)
      if (at > now || !active(contact, at)) continue
      const product = DEMO_PRODUCTS[pick(['STARTER', 'SUPPORT', 'ONBOARD'] as const)]
      purchases.push({
        contactId: contact.id,
        body: {
          type: 'purchase',
          channel: 'web',
          summary: `Web shop order: ${product.name}`,
          occurredAt: new Date(at).toISOString(),
          amount: { amountMinor: product.price, currency: 'THB' },
        },
      })
      const visitAt = at - between(0.01, 2) * DAY
      purchases.push({
        contactId: contact.id,
        body: {
          type: 'web_visit',
          channel: 'web',
          summary: 'Visited the pricing page',
          occurredAt: new Date(visitAt).toISOString(),
        },
      })
    }
  })
  entries.sort((a, b) => a.Time.localeCompare(b.Time))
  return { entries, purchases }
}
