/**
 * A journey end to end through the local gateway, bus, SQS and SES: a welcome journey on
 * contacts' Contact.Created mails a new contact once (its consent, recorded just after the
 * creation, is waited for); a contact who declined gets nothing; a paused journey enrols no one.
 */
import { newId } from '@relay/core/ids'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let admin: string
const tenant = `jrn-${newId().slice(-6).toLowerCase()}`

beforeAll(async () => {
  api = await startApi()
  admin = await api.token(tenant, ['admin'])
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

async function contact(firstName: string, email: string, consent: 'granted' | 'denied'): Promise<string> {
  const created = await api.call('POST', '/contacts', {
    token: admin,
    body: { firstName, emails: [{ address: email }] },
  })
  expect(created.status, created.text).toBe(201)
  const id = created.body.id as string
  const recorded = await api.call('POST', `/contacts/${id}/consent`, {
    token: admin,
    body: { channel: 'email', status: consent, source: 'signup form', legalBasis: 'consent' },
  })
  expect(recorded.status, recorded.text).toBe(200)
  return id
}

const mailTo = async (address: string): Promise<{ subject: string }[]> => {
  const res = await api.call('GET', '/_local/mail')
  return (res.body.items as { to: string[]; subject: string }[]).filter((m) =>
    m.to.some((t) => t.includes(address)),
  )
}

const runs = async (journeyId: string) =>
  (await api.call('GET', `/journeys/${journeyId}/runs`, { token: admin })).body.items as {
    contactId: string
    status: string
    sent: string[]
  }[]

describe('a welcome journey on Contact.Created', () => {
  let journeyId: string
  let templateId: string

  it('refuses a trigger journeys cannot follow', async () => {
    const bad = await api.call('POST', '/journeys', {
      token: admin,
      body: {
        name: 'Bad',
        trigger: { source: 'crm.contacts', detailType: 'Contact.Updated' },
        steps: [{ type: 'send', templateId: newId() }],
      },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.errors[0]).toMatchObject({ field: 'trigger', code: 'invalid_journey' })
  })

  it('mails a new contact the welcome email once', async () => {
    const template = await api.call('POST', '/templates', {
      token: admin,
      body: {
        name: 'Welcome',
        subject: 'Welcome, {{ contact.firstName | default: "friend" }}',
        html: '<p>Glad you are here.</p>',
      },
    })
    expect(template.status, template.text).toBe(201)
    templateId = template.body.id
    const journey = await api.call('POST', '/journeys', {
      token: admin,
      body: {
        name: 'Welcome',
        trigger: { source: 'crm.contacts', detailType: 'Contact.Created' },
        steps: [{ type: 'send', templateId }],
        exitOn: [{ source: 'crm.campaigns', detailType: 'Email.Unsubscribed' }],
      },
    })
    expect(journey.status, journey.text).toBe(201)
    expect(journey.body).toMatchObject({ status: 'active', allowReentry: false })
    journeyId = journey.body.id

    const ann = `ann-${tenant}@example.com`
    const no = `no-${tenant}@example.com`
    const annId = await contact('Ann', ann, 'granted')
    const noId = await contact('Noor', no, 'denied')
    const done = await eventually(async () => {
      const r = await runs(journeyId)
      return r.length === 2 && r.every((x) => x.status === 'completed') ? r : undefined
    }, 60_000)
    expect(done, JSON.stringify(await runs(journeyId))).toBeTruthy()
    const byContact = Object.fromEntries((done ?? []).map((r) => [r.contactId, r]))
    expect(byContact[annId]?.sent).toEqual([templateId])
    expect(byContact[noId]?.sent).toEqual([])
    expect((await mailTo(ann)).map((m) => m.subject)).toEqual(['Welcome, Ann'])
    expect(await mailTo(no)).toHaveLength(0)
    // Nothing left to deliver sends it again: still one mail, one run.
    await new Promise((r) => setTimeout(r, 1_500))
    expect(await mailTo(ann)).toHaveLength(1)
    expect((await runs(journeyId)).filter((r) => r.contactId === annId)).toHaveLength(1)
  }, 90_000)

  it('enrols no one while paused', async () => {
    const current = await api.call('GET', `/journeys/${journeyId}`, { token: admin })
    const paused = await api.call('PATCH', `/journeys/${journeyId}`, {
      token: admin,
      body: { status: 'paused' },
      headers: { 'if-match': current.headers.get('etag') as string },
    })
    expect(paused.status, paused.text).toBe(200)
    const late = `late-${tenant}@example.com`
    const lateId = await contact('Late', late, 'granted')
    // The contact reached campaigns (its audience record) and still got no run.
    await eventually(async () => {
      const seg = await api.call('POST', '/segments', {
        token: admin,
        body: { name: `late-${newId()}`, rule: { type: 'field', field: 'email', op: 'eq', value: late } },
      })
      const p = (await api.call('GET', `/segments/${seg.body.id}/preview`, { token: admin })).body
      return p?.count === 1 ? p : undefined
    }, 30_000)
    await new Promise((r) => setTimeout(r, 1_000))
    expect((await runs(journeyId)).some((r) => r.contactId === lateId)).toBe(false)
    expect(await mailTo(late)).toHaveLength(0)
  }, 60_000)
})
