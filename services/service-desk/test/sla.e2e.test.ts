/**
 * SLA end to end through the local gateway: a tenant's business hours name a default policy, a
 * ticket opened by POST /tickets gets its clocks, and the scheduled check (triggered by hand, twice
 * at once, with the clock moved forward) raises `Ticket.SlaWarning` and then `Ticket.SlaBreached`
 * exactly once each; the breach escalates (priority one step up, an email to the leads) and shows
 * on the ticket. Then the agents side: a routed ticket gets the agent of its queue.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
beforeAll(async () => {
  api = await startApi()
}, 120_000)
afterEach(() => {
  vi.useRealTimers()
})
afterAll(async () => {
  await api?.stop()
})

const allWeek = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]]),
)

type Seen = { 'detail-type': string; detail?: { data?: { ticketId?: string; target?: string } } }
const slaEvents = async (ticketId: string) => {
  const seen = await api.call('GET', '/_local/events')
  return ((seen.body.items ?? seen.body) as Seen[])
    .filter((e) => e.detail?.data?.ticketId === ticketId && e['detail-type'].startsWith('Ticket.Sla'))
    .map((e) => `${e['detail-type']}:${e.detail?.data?.target}`)
}

/** Runs the schedule as if it were `at`: only Date is moved (timers, DynamoDB Local and the gateway run as ever). */
async function checkAt(at: number, runs = 1) {
  vi.useFakeTimers({ toFake: ['Date'], now: at })
  try {
    return (await Promise.all(
      Array.from({ length: runs }, () => api.runtime.triggerSchedule('service-desk', 'sla-check')),
    )) as Record<string, number>[]
  } finally {
    vi.useRealTimers()
  }
}
const total = (runs: Record<string, number>[], key: string) => runs.reduce((n, r) => n + (r[key] ?? 0), 0)

describe('SLA through the gateway', () => {
  it('warns once, breaches once, escalates, and the ticket says so', async () => {
    const tenant = 'sla-e2e'
    const admin = await api.token(tenant, ['admin'])
    const policy = await api.call('POST', '/sla/policies', {
      token: admin,
      body: {
        name: 'Fast',
        hours: 'calendar',
        targets: { normal: { first_response: 2, resolution: 600 } },
        warnBeforeMinutes: 1,
        escalations: [{ target: 'first_response', raisePriority: true, notify: ['leads@example.com'] }],
      },
    })
    expect(policy.status, policy.text).toBe(201)
    const hours = await api.call('PUT', '/sla/business-hours', {
      token: admin,
      body: { timeZone: 'Asia/Bangkok', hours: allWeek, defaultPolicyId: policy.body.id },
    })
    expect(hours.status, hours.text).toBe(200)

    const created = await api.call('POST', '/tickets', {
      token: admin,
      headers: { 'idempotency-key': 'sla-e2e-1' },
      body: {
        subject: 'Printer on fire',
        description: 'Smoke everywhere',
        requester: { email: 'ann@example.com' },
      },
    })
    expect(created.status, created.text).toBe(201)
    const id = created.body.id as string
    const openedAt = Date.parse(created.body.createdAt)
    expect(
      created.body.sla.targets.map((t: { target: string; state: string }) => `${t.target}:${t.state}`).sort(),
    ).toEqual(['first_response:running', 'resolution:running'])

    // Before the warning time nothing happens; after it, one warning from two overlapping runs.
    expect(total(await checkAt(openedAt + 30_000), 'warned')).toBe(0)
    expect(total(await checkAt(openedAt + 75_000, 2), 'warned')).toBeLessThanOrEqual(1)
    // Past the due time: two overlapping runs, then a third; one breach.
    const breaching = [...(await checkAt(openedAt + 130_000, 2)), ...(await checkAt(openedAt + 140_000))]
    expect(total(breaching, 'breached')).toBeLessThanOrEqual(1)

    const events = await eventually(async () => {
      const e = await slaEvents(id)
      return e.length >= 2 ? e : undefined
    }, 30_000)
    // Give a straggler the chance to show up before counting.
    await new Promise((r) => setTimeout(r, 300))
    expect((await slaEvents(id)).sort()).toEqual([
      'Ticket.SlaBreached:first_response',
      'Ticket.SlaWarning:first_response',
    ])
    expect(events).toBeDefined()

    const ticket = await eventually(async () => {
      const t = await api.call('GET', `/tickets/${id}`, { token: admin })
      return t.body?.priority === 'high' ? t : undefined
    }, 30_000)
    expect(ticket?.body).toMatchObject({ breached: true, priority: 'high' })
    const first = ticket?.body.sla.targets.find((t: { target: string }) => t.target === 'first_response')
    expect(first).toMatchObject({ state: 'breached', targetMinutes: 2 })

    const mail = await eventually(async () => {
      const m = await api.call('GET', '/_local/mail')
      const items = (m.body.items ?? []) as { to: string[]; subject: string }[]
      return items.find((x) => x.to.some((t) => t.includes('leads@example.com')))
    }, 30_000)
    expect(mail?.subject).toContain('SLA breached')

    const clocks = await api.call('GET', `/tickets/${id}/sla`, { token: admin })
    expect(clocks.status, clocks.text).toBe(200)
    expect(clocks.body.policyId).toBe(policy.body.id)
  }, 120_000)

  it('routes a new ticket to its queue and the agent with the skill', async () => {
    const tenant = 'desk-e2e'
    const admin = await api.token(tenant, ['admin'])
    const queue = await api.call('POST', '/ticket-queues', {
      token: admin,
      headers: { 'idempotency-key': 'q-1' },
      body: { name: 'Hardware', skills: ['printers'] },
    })
    expect(queue.status, queue.text).toBe(201)
    const routing = await api.call('PUT', '/settings/ticket-routing', {
      token: admin,
      body: { rules: [{ tag: 'printer', queueId: queue.body.id }] },
    })
    expect(routing.status, routing.text).toBe(200)
    for (const [key, body] of [
      ['a-1', { name: 'No skill', skills: ['billing'], capacity: 5 }],
      ['a-2', { name: 'Printer person', skills: ['printers'], capacity: 5 }],
    ] as const) {
      const a = await api.call('POST', '/agents', { token: admin, headers: { 'idempotency-key': key }, body })
      expect(a.status, a.text).toBe(201)
    }
    const created = await api.call('POST', '/tickets', {
      token: admin,
      headers: { 'idempotency-key': 't-1' },
      body: {
        subject: 'Jammed',
        description: 'Paper jam',
        requester: { email: 'bo@example.com' },
        tags: ['printer'],
      },
    })
    expect(created.status, created.text).toBe(201)
    const assigned = await eventually(async () => {
      const t = await api.call('GET', `/tickets/${created.body.id}`, { token: admin })
      return t.body?.assigneeId ? t.body : undefined
    }, 30_000)
    const agents = await api.call('GET', '/agents', { token: admin })
    const printer = agents.body.items.find((a: { name: string }) => a.name === 'Printer person')
    expect(assigned).toMatchObject({ queueId: queue.body.id, assigneeId: printer.id, status: 'open' })
    expect(printer.load).toBe(1)
  }, 60_000)
})
