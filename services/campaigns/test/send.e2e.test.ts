/**
 * A campaign end to end through the local gateway, bus, SQS and SES: contacts created in contacts
 * reach the audience by their events; the campaign's send job (work queue) mails the segment, and
 * the opted-out and suppressed contacts receive nothing; the mailbox simulator's bounce comes back
 * as an SES event and suppresses the address; a click updates the report; a one-click unsubscribe
 * (RFC 8058) withdraws the email consent in contacts.
 */
import { newId } from '@relay/core/ids'
import PostalMime from 'postal-mime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let admin: string
const tenant = `send-${newId().slice(-6).toLowerCase()}`
const BOUNCE = 'bounce@simulator.amazonses.com'

beforeAll(async () => {
  api = await startApi()
  admin = await api.token(tenant, ['admin'])
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

async function contact(firstName: string, email: string): Promise<string> {
  const created = await api.call('POST', '/contacts', {
    token: admin,
    body: { firstName, emails: [{ address: email }], tags: ['spring'] },
  })
  expect(created.status, created.text).toBe(201)
  return created.body.id as string
}

async function consent(id: string, status: 'granted' | 'denied'): Promise<void> {
  const recorded = await api.call('POST', `/contacts/${id}/consent`, {
    token: admin,
    body: { channel: 'email', status, source: 'signup form', legalBasis: 'consent' },
  })
  expect(recorded.status, recorded.text).toBe(200)
}

interface Mail {
  id: string
  to: string[]
  subject: string
  raw?: string
}

const mailTo = async (address: string): Promise<Mail[]> => {
  const res = await api.call('GET', '/_local/mail')
  return (res.body.items as Mail[]).filter((m) => m.to.some((t) => t.includes(address)))
}

describe('a campaign through the gateway, the send queue and local SES', () => {
  const emails = {
    ann: `ann-${tenant}@example.com`,
    bea: `bea-${tenant}@example.com`,
    out: `out-${tenant}@example.com`,
    sup: `sup-${tenant}@example.com`,
  }
  let ann: string
  let campaignId: string
  let annMail: { html: string; unsubscribe: string }

  it('mails the segment: opted-out and suppressed contacts receive nothing', async () => {
    ann = await contact('Ann', emails.ann)
    const ids = [
      ann,
      await contact('Béa', emails.bea),
      await contact('Out', emails.out),
      await contact('Sup', emails.sup),
      await contact('Bounce', BOUNCE),
    ]
    const suppressed = await api.call('POST', '/suppressions', { token: admin, body: { email: emails.sup } })
    expect(suppressed.status, suppressed.text).toBe(201)
    const segment = await api.call('POST', '/segments', {
      token: admin,
      body: { name: 'Spring', rule: { type: 'tag', op: 'hasAny', values: ['spring'] } },
    })
    expect(segment.status, segment.text).toBe(201)
    const preview = async () =>
      (await api.call('GET', `/segments/${segment.body.id}/preview`, { token: admin })).body
    // The audience projection follows contacts' events: the five first, then their consents (one
    // opts out), so each consent event finds its contact projected.
    expect(await eventually(async () => (await preview())?.matched === 5, 60_000), 'contacts projected').toBe(
      true,
    )
    for (const [i, id] of ids.entries()) await consent(id, i === 2 ? 'denied' : 'granted')
    const ready = await eventually(async () => {
      const p = await preview()
      return p?.matched === 5 && p.count === 3 ? p : undefined
    }, 60_000)
    if (!ready) {
      const dead = (await api.call('GET', '/_local/dead-letters')).body
      expect.fail(
        `audience not projected: ${JSON.stringify(await preview())}; dead letters ${JSON.stringify(dead).slice(0, 2000)}`,
      )
    }
    const template = await api.call('POST', '/templates', {
      token: admin,
      body: {
        name: 'Spring',
        subject: 'Spring for {{ contact.firstName | default: "you" }}',
        html: '<p>Hi {{ contact.firstName | default: "there" }}</p><p><a href="https://shop.example/spring?utm=mail">Shop</a></p>',
      },
    })
    expect(template.status, template.text).toBe(201)
    const invalid = await api.call('POST', '/templates', {
      token: admin,
      body: { name: 'Bad', subject: 'ok', html: '{% if x %}never closed' },
    })
    expect(invalid.status).toBe(400)
    expect(invalid.body.errors[0]).toMatchObject({ field: 'html', code: 'invalid_template' })
    const created = await api.call('POST', '/campaigns', {
      token: admin,
      body: {
        name: 'Spring 2026',
        segmentId: segment.body.id,
        variants: [{ name: 'A', templateId: template.body.id }],
        fromName: 'Spring Shop',
      },
    })
    expect(created.status, created.text).toBe(201)
    campaignId = created.body.id
    const scheduled = await api.call('POST', `/campaigns/${campaignId}/schedule`, { token: admin, body: {} })
    expect(scheduled.status, scheduled.text).toBe(200)
    expect(scheduled.body.status).toBe('scheduled')
    const sent = await eventually(async () => {
      const c = (await api.call('GET', `/campaigns/${campaignId}`, { token: admin })).body
      return c?.status === 'sent' ? c : undefined
    }, 60_000)
    expect(sent, 'campaign completed').toMatchObject({ status: 'sent', progress: { sent: 3, failed: 0 } })
    expect(await mailTo(emails.ann)).toHaveLength(1)
    expect(await mailTo(emails.bea)).toHaveLength(1)
    expect(await mailTo(emails.out)).toHaveLength(0)
    expect(await mailTo(emails.sup)).toHaveLength(0)
    const [mail] = await mailTo(emails.ann)
    expect(mail?.subject).toBe('Spring for Ann')
    const parsed = await PostalMime.parse((mail as Mail).raw as string)
    const header = (name: string) => parsed.headers.find((h) => h.key === name)?.value
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click')
    const unsubscribe = /<(https?:[^>]+)>/.exec(header('list-unsubscribe') ?? '')?.[1] as string
    expect(unsubscribe).toMatch(/\/public\/unsubscribe\//)
    annMail = { html: parsed.html ?? '', unsubscribe }
  }, 180_000)

  it('the simulator bounce comes back from SES: the send is bounced and the address suppressed', async () => {
    const suppressions = await eventually(async () => {
      const list = (await api.call('GET', '/suppressions', { token: admin })).body
      return list?.items?.some((s: { email: string }) => s.email === BOUNCE) ? list : undefined
    }, 15_000)
    expect(suppressions?.items.find((s: { email: string }) => s.email === BOUNCE)).toMatchObject({
      reason: 'bounce',
    })
    const sends = (await api.call('GET', `/campaigns/${campaignId}/sends`, { token: admin })).body
    const statuses = Object.fromEntries(
      sends.items.map((s: { email: string; status: string }) => [s.email, s.status]),
    )
    expect(statuses[BOUNCE]).toBe('bounced')
  })

  it('a click redirects to the link inside the signed token and updates the report', async () => {
    const click = /href="([^"]*\/public\/t\/c\/[^"]+)"/.exec(annMail.html)?.[1] as string
    expect(click).toBeTruthy()
    const path = new URL(click).pathname
    const res = await api.raw('GET', path)
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('https://shop.example/spring?utm=mail')
    // No open redirect: a target in the query string is refused, and so is a forged token.
    const hijack = await api.raw('GET', `${path}?url=https://evil.example`)
    expect(hijack.status).toBe(400)
    expect(hijack.headers.get('location')).toBeNull()
    const forged = await api.raw('GET', `${path.slice(0, -3)}abc`)
    expect(forged.status).toBe(401)
    const pixel = /src="([^"]*\/public\/t\/o\/[^"]+)"/.exec(annMail.html)?.[1] as string
    const gif = await api.raw('GET', new URL(pixel).pathname)
    expect(gif.status).toBe(200)
    expect(gif.headers.get('content-type')).toBe('image/gif')
    const report = await eventually(async () => {
      const r = (await api.call('GET', `/campaigns/${campaignId}/report`, { token: admin })).body
      return r?.totals?.uniqueClicks >= 1 ? r : undefined
    }, 15_000)
    expect(report?.totals).toMatchObject({ sent: 3, uniqueClicks: 1 })
  })

  it('one-click unsubscribe (RFC 8058) withdraws the email consent in contacts', async () => {
    const path = new URL(annMail.unsubscribe).pathname
    const page = await api.raw('GET', path)
    expect(page.status).toBe(200)
    expect(page.text).toContain('<form method="post"')
    // The GET changed nothing: consent is still granted.
    expect((await api.call('GET', `/contacts/${ann}`, { token: admin })).body.consent.email.status).toBe(
      'granted',
    )
    const res = await api.raw('POST', path, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    })
    expect(res.status).toBe(200)
    const withdrawn = await eventually(async () => {
      const c = (await api.call('GET', `/contacts/${ann}`, { token: admin })).body
      return c?.consent?.email?.status === 'withdrawn' ? c : undefined
    }, 15_000)
    expect(withdrawn, 'consent withdrawn in contacts').toBeTruthy()
    const again = await api.raw('POST', path, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    })
    expect(again.status).toBe(200)
  })
})
