/**
 * Other services' events end to end through the local gateway and bus: a lead converted in the
 * pipeline becomes a contact (the id the pipeline chose) with a timeline holding the conversion and
 * the deal, and winning the deal adds `deal_won`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let sales: string
let viewer: string

beforeAll(async () => {
  api = await startApi()
  sales = await api.token('acme', ['sales'], 'u-sam')
  viewer = await api.token('acme', ['viewer'])
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

const kinds = async (contactId: string): Promise<string[]> => {
  const res = await api.call('GET', `/contacts/${contactId}/timeline`, { token: viewer })
  return res.status === 200 ? (res.body.items as { kind: string }[]).map((e) => e.kind) : []
}

describe('lead conversion and deal events', () => {
  it('creates the converted contact with conversion and deal entries, then records the win', async () => {
    // Prepare
    const lead = await api.call('POST', '/leads', {
      token: sales,
      body: { firstName: 'Kanya', lastName: 'Srisuk', email: 'kanya@srisuk.example', source: 'referral' },
    })
    expect(lead.status, lead.text).toBe(201)

    // Act
    const converted = await api.call('POST', `/leads/${lead.body.id}/convert`, {
      token: sales,
      body: { deal: { name: 'Srisuk spring order', amount: { amountMinor: 250000, currency: 'USD' } } },
    })
    expect(converted.status, converted.text).toBe(200)
    const { contactId, dealId } = converted.body as { contactId: string; dealId: string }

    // Assess: the contact appears under the id the pipeline chose.
    const contact = await eventually(async () => {
      const res = await api.call('GET', `/contacts/${contactId}`, { token: viewer })
      return res.status === 200 ? res.body : undefined
    }, 15_000)
    expect(contact).toMatchObject({
      id: contactId,
      firstName: 'Kanya',
      lastName: 'Srisuk',
      emails: [{ address: 'kanya@srisuk.example', primary: true }],
      ownerId: 'u-sam',
      source: 'lead-conversion',
      lifecycleStage: 'opportunity',
    })
    const opened = await eventually(async () => {
      const k = await kinds(contactId)
      return k.includes('converted') && k.includes('deal_opened') ? k : undefined
    }, 15_000)
    expect(opened).toEqual(expect.arrayContaining(['created', 'converted', 'deal_opened']))
    const timeline = await api.call('GET', `/contacts/${contactId}/timeline`, { token: viewer })
    expect(timeline.body.items).toContainEqual(
      expect.objectContaining({
        kind: 'deal_opened',
        summary: 'Deal opened: Srisuk spring order (2,500.00 USD)',
        related: { type: 'deal', id: dealId },
      }),
    )
    expect(timeline.body.items).toContainEqual(
      expect.objectContaining({ kind: 'converted', related: { type: 'lead', id: lead.body.id } }),
    )

    // Act: win the deal (the default pipeline's won stage).
    const won = await api.call('POST', `/deals/${dealId}/stage`, { token: sales, body: { stageId: 'won' } })
    expect(won.status, won.text).toBe(200)

    // Assess
    const after = await eventually(async () => {
      const k = await kinds(contactId)
      return k.includes('deal_won') ? k : undefined
    }, 15_000)
    expect(after?.[0]).toBe('deal_won')
    expect(after?.filter((k) => k === 'deal_opened')).toHaveLength(1)
  })

  it('leaves an email another contact owns off the converted contact instead of failing', async () => {
    // Prepare
    const owner = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Somchai', emails: [{ address: 'taken@srisuk.example' }] },
    })
    expect(owner.status, owner.text).toBe(201)
    const lead = await api.call('POST', '/leads', {
      token: sales,
      body: { lastName: 'Jaidee', email: 'taken@srisuk.example', source: 'web' },
    })
    expect(lead.status, lead.text).toBe(201)
    // Act
    const converted = await api.call('POST', `/leads/${lead.body.id}/convert`, { token: sales, body: {} })
    expect(converted.status, converted.text).toBe(200)
    // Assess
    const contact = await eventually(async () => {
      const res = await api.call('GET', `/contacts/${converted.body.contactId}`, { token: viewer })
      return res.status === 200 ? res.body : undefined
    }, 15_000)
    expect(contact).toMatchObject({ lastName: 'Jaidee', emails: [], lifecycleStage: 'qualified' })
  })
})
