/**
 * An A/B campaign end to end through the gateway, the send queue and local SES: a bandit campaign
 * with two variants (different subjects) sends each recipient one of them, and the report shows
 * each variant's sends, the click made on one email under its variant, and the bandit's state.
 */
import { newId } from '@relay/core/ids'
import PostalMime from 'postal-mime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let admin: string
const tenant = `ab-${newId().slice(-6).toLowerCase()}`

beforeAll(async () => {
  api = await startApi()
  admin = await api.token(tenant, ['admin'])
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

describe('a bandit A/B campaign and its report', () => {
  it('sends each recipient one variant and reports each variant with its click', async () => {
    const people = ['ana', 'ben', 'cai', 'dee'].map((n) => `${n}-${tenant}@example.com`)
    for (const email of people) {
      const created = await api.call('POST', '/contacts', {
        token: admin,
        body: { firstName: email.slice(0, 3), emails: [{ address: email }], tags: ['ab'] },
      })
      expect(created.status, created.text).toBe(201)
      const consent = await api.call('POST', `/contacts/${created.body.id}/consent`, {
        token: admin,
        body: { channel: 'email', status: 'granted', source: 'signup form', legalBasis: 'consent' },
      })
      expect(consent.status, consent.text).toBe(200)
    }
    const segment = await api.call('POST', '/segments', {
      token: admin,
      body: { name: 'AB', rule: { type: 'tag', op: 'hasAny', values: ['ab'] } },
    })
    expect(segment.status, segment.text).toBe(201)
    await eventually(async () => {
      const p = (await api.call('GET', `/segments/${segment.body.id}/preview`, { token: admin })).body
      return p?.count === 4 ? p : undefined
    }, 60_000)
    const template = await api.call('POST', '/templates', {
      token: admin,
      body: { name: 'Offer', subject: 'Offer', html: '<p><a href="https://shop.example/offer">Shop</a></p>' },
    })
    expect(template.status, template.text).toBe(201)
    const campaign = await api.call('POST', '/campaigns', {
      token: admin,
      body: {
        name: 'AB offer',
        segmentId: segment.body.id,
        variants: [
          { name: 'Plain', templateId: template.body.id, subject: 'Our offer' },
          { name: 'Bold', templateId: template.body.id, subject: 'Last chance: our offer' },
        ],
        ab: { mode: 'bandit', goal: 'click' },
      },
    })
    expect(campaign.status, campaign.text).toBe(201)
    const id = campaign.body.id as string
    const [plain, bold] = campaign.body.variants.map((v: { id: string }) => v.id) as [string, string]
    expect((await api.call('POST', `/campaigns/${id}/schedule`, { token: admin, body: {} })).status).toBe(200)
    await eventually(async () => {
      const c = (await api.call('GET', `/campaigns/${id}`, { token: admin })).body
      return c?.status === 'sent' ? c : undefined
    }, 60_000)
    const mails = (
      (await api.call('GET', '/_local/mail')).body.items as { id: string; to: string[]; subject: string }[]
    ).filter((m) => people.some((p) => m.to.includes(p)))
    expect(mails).toHaveLength(4)
    for (const p of people) expect(mails.filter((m) => m.to.includes(p))).toHaveLength(1)
    const subjects = new Map([
      ['Our offer', plain],
      ['Last chance: our offer', bold],
    ])
    for (const m of mails) expect(subjects.has(m.subject)).toBe(true)
    const clicked = mails[0] as { id: string; subject: string }
    const raw = (await api.call('GET', `/_local/mail/${clicked.id}`)).body.raw as string
    const html = (await PostalMime.parse(raw)).html ?? ''
    const link = /href="([^"]*\/public\/t\/c\/[^"]+)"/.exec(html)?.[1] as string
    expect((await api.raw('GET', new URL(link).pathname)).status).toBe(302)

    const report = await eventually(async () => {
      const r = (await api.call('GET', `/campaigns/${id}/report`, { token: admin })).body
      return r?.totals?.sent === 4 && r.totals.uniqueClicks === 1 ? r : undefined
    }, 20_000)
    expect(
      report,
      JSON.stringify((await api.call('GET', `/campaigns/${id}/report`, { token: admin })).body),
    ).toBeTruthy()
    const byVariant = Object.fromEntries(report.variants.map((v: { variantId: string }) => [v.variantId, v]))
    const clickedVariant = subjects.get(clicked.subject) as string
    expect(byVariant[clickedVariant]).toMatchObject({ uniqueClicks: 1, uniqueOpens: 1 })
    expect(byVariant[plain].sent + byVariant[bold].sent).toBe(4)
    expect(report.ab).toMatchObject({ mode: 'bandit', goal: 'click', status: 'exploring' })
    expect(byVariant[plain].probabilityBest + byVariant[bold].probabilityBest).toBeCloseTo(1, 2)
  }, 180_000)
})
