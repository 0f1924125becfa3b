/**
 * Through the local gateway, bus, scheduler and mail outbox: web-to-lead capture with assignment,
 * engagement learned from other services' events, deal automation and reminder emails, insights.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let manager: string

beforeAll(async () => {
  api = await startApi({ only: ['contacts', 'pipeline'] })
  manager = await api.token('acme', ['manager'], 'u-manager')
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

const busEvents = async (predicate: (e: any) => boolean) => {
  const seen = await api.call('GET', '/_local/events')
  return ((seen.body.items ?? seen.body) as any[]).filter(predicate)
}

describe('web-to-lead', () => {
  it('a manager defines a form; a visitor submits it without a token; the lead is assigned', async () => {
    // Prepare
    const rules = await api.call('PUT', '/settings/lead-assignment', {
      token: manager,
      body: {
        teams: [{ id: 'web', strategy: 'round_robin', members: ['u-ana', 'u-ben'] }],
        rules: [{ field: 'source', values: ['web'], team: 'web' }],
      },
    })
    expect(rules.status, rules.text).toBe(200)
    const created = await api.call('POST', '/forms', {
      token: manager,
      body: {
        name: 'Contact us',
        fields: [
          { name: 'name', maps: 'lastName', required: true },
          { name: 'email', maps: 'email' },
        ],
        campaign: 'Spring launch',
        honeypotField: 'website',
        rateLimitPerMinute: 3,
      },
    })
    expect(created.status, created.text).toBe(201)
    const form = created.body
    expect(form.publicKey).toMatch(/^[A-Za-z0-9_-]{32}$/)
    const path = `/public/forms/${form.id}/submissions`
    const headers = { 'x-form-key': form.publicKey }

    // Act
    const ok = await api.call('POST', path, { headers, body: { name: 'Sato', email: 'sato@example.jp' } })
    const bot = await api.call('POST', path, { headers, body: { name: 'Bot', website: 'spam' } })
    const wrongKey = await api.call('POST', path, { headers: { 'x-form-key': 'nope' }, body: { name: 'X' } })
    const invalid = await api.call('POST', path, { headers, body: { email: 'x@example.com' } })
    const limited = await api.call('POST', path, { headers, body: { name: 'Late' } })

    // Assess
    expect(ok.status, ok.text).toBe(202)
    expect(Object.keys(ok.body).sort()).toEqual(['leadId', 'status'])
    expect(bot.status).toBe(202)
    expect(wrongKey.status).toBe(401)
    expect(invalid.status).toBe(400)
    expect(invalid.body.errors[0].field).toBe('name')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('content-type')).toContain('application/problem+json')

    const lead = await api.call('GET', `/leads/${ok.body.leadId}`, { token: manager })
    expect(lead.status).toBe(200)
    expect(lead.body).toMatchObject({
      source: 'web',
      campaign: 'Spring launch',
      formId: form.id,
      ownerId: 'u-ana',
    })
    const bogus = await api.call('GET', `/leads/${bot.body.leadId}`, { token: manager })
    expect(bogus.status).toBe(404)
    // The probe returns (never throws), so eventually() keeps polling until the event is on the bus.
    const assigned = await eventually(async () => {
      const evs = await busEvents((e) => e['detail-type'] === 'Lead.Assigned')
      return evs.some((e) => e.detail.data.leadId === ok.body.leadId)
    })
    expect(assigned).toBe(true)
  })
})

describe('engagement follows a contact whose email changed', () => {
  it('create a contact, PATCH its email: an interaction on it now credits the lead with the new email', async () => {
    // Prepare: a contact with its old email, and leads with the old and the new one
    const sales = await api.token('acme', ['sales'], 'u-sally')
    const contact = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Mele', lastName: 'Tupou', emails: [{ address: 'mele@old.example' }] },
    })
    expect(contact.status, contact.text).toBe(201)
    const contactId: string = contact.body.id
    const lead = async (email: string) => {
      const res = await api.call('POST', '/leads', {
        token: sales,
        body: { lastName: 'Tupou', email, source: 'web' },
      })
      expect(res.status, res.text).toBe(201)
      return res.body.id as string
    }
    const oldLead = await lead('mele@old.example')
    // The pipeline's delivery of this contact's Contact.Updated (contacts → outbox → bus → pipeline).
    const projected = new Promise<void>((resolve) => {
      const onDelivered = ({
        event,
        subscription,
      }: {
        event: any
        subscription: { service: string; name: string }
      }) => {
        if (
          subscription.service === 'pipeline' &&
          subscription.name === 'contact-updated' &&
          event.detail?.data?.id === contactId
        ) {
          api.runtime.bus.off('delivered', onDelivered)
          resolve()
        }
      }
      api.runtime.bus.on('delivered', onDelivered)
    })

    // Act: the email changes through the contacts API; a new lead comes in with the new address
    const patched = await api.call('PATCH', `/contacts/${contactId}`, {
      token: sales,
      headers: { 'if-match': contact.headers.get('etag')! },
      body: { emails: [{ address: 'Mele@New.example' }] },
    })
    expect(patched.status, patched.text).toBe(200)
    const newLead = await lead('mele@new.example')
    await Promise.race([
      projected,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('Contact.Updated not delivered')), 10_000),
      ),
    ])
    const logged = await api.call('POST', `/contacts/${contactId}/interactions`, {
      token: sales,
      body: { type: 'meeting', summary: 'Demo of the spring range' },
    })
    expect(logged.status, logged.text).toBe(201)

    // Assess: the meeting (10 points) reaches the lead with the new email, not the one with the old
    const credited = await eventually(async () => {
      const res = await api.call('GET', `/leads/${newLead}`, { token: sales })
      return res.body.engagementScore === 10 ? res.body : undefined
    }, 10_000)
    expect(credited).toMatchObject({ id: newLead, engagementScore: 10 })
    const untouched = await api.call('GET', `/leads/${oldLead}`, { token: sales })
    expect(untouched.body.engagementScore).toBeUndefined()
  })
})

describe('automation and reminder emails', () => {
  it('entering a stage creates the follow-up for the deal owner; its reminder goes out by email', async () => {
    // Prepare
    const sales = await api.token('acme', ['sales'], 'u-sam')
    const users = await api.call('PUT', '/settings/users', {
      token: manager,
      body: { users: [{ userId: 'u-sam', email: 'sam@acme.example', name: 'Sam' }] },
    })
    expect(users.status, users.text).toBe(200)
    const rules = await api.call('PUT', '/settings/automations', {
      token: manager,
      body: {
        rules: [
          {
            stageId: 'proposal',
            activity: {
              type: 'call',
              subject: 'Call back about the proposal',
              dueInDays: 0,
              remindMinutesBefore: 0,
            },
          },
        ],
      },
    })
    expect(rules.status, rules.text).toBe(200)
    const deal = await api.call('POST', '/deals', {
      token: sales,
      body: { name: 'Kyoto Tea renewal', amount: { amountMinor: 90000, currency: 'JPY' } },
    })
    expect(deal.status, deal.text).toBe(201)

    // Act
    const moved = await api.call('POST', `/deals/${deal.body.id}/stage`, {
      token: sales,
      body: { stageId: 'proposal' },
    })
    const other = await api.call('POST', `/deals/${deal.body.id}/stage`, {
      token: sales,
      body: { stageId: 'negotiation' },
    })

    // Assess: one follow-up (only the proposal stage fires), owned by the deal owner
    expect(moved.status, moved.text).toBe(200)
    expect(other.status, other.text).toBe(200)
    const acts = await api.call('GET', `/activities?relatedType=deal&relatedId=${deal.body.id}`, {
      token: sales,
    })
    expect(acts.status, acts.text).toBe(200)
    expect(acts.body.items).toHaveLength(1)
    expect(acts.body.items[0]).toMatchObject({
      type: 'call',
      subject: 'Call back about the proposal',
      ownerId: 'u-sam',
      relatedTo: { type: 'deal', id: deal.body.id },
    })

    const run = await api.call('POST', '/_local/schedules/pipeline/reminders')
    expect(run.status, run.text).toBe(200)
    const mail = await eventually(async () => {
      const out = await api.call('GET', '/_local/mail')
      const found = (out.body.items as any[]).filter((m) => m.to.includes('sam@acme.example'))
      expect(found).toHaveLength(1)
      return found[0]
    })
    expect(mail.subject).toContain('Call back about the proposal')
    expect(mail.text).toContain('Hello Sam')
    expect((await api.runtime.mail.list()).length).toBeGreaterThanOrEqual(1)
    // With no closed history the insight is the stage probability, and says so.
    const insight = await api.call('GET', `/deals/${deal.body.id}/insights`, { token: sales })
    expect(insight.status, insight.text).toBe(200)
    expect(insight.body).toMatchObject({ method: 'stage-probability', probability: 0.8, trainedOn: 0 })
    expect(insight.body.reason).toContain('Too little history')
    // A second run sends nothing more.
    await api.call('POST', '/_local/schedules/pipeline/reminders')
    const again = await api.call('GET', '/_local/mail')
    expect((again.body.items as any[]).filter((m) => m.to.includes('sam@acme.example'))).toHaveLength(1)
  })
})
