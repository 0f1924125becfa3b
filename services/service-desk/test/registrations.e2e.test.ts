/**
 * Registrations through the gateway: a contact's products and warranties, found by contact and by
 * serial, and the coverage an agent sees on the contact's ticket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, startApi } from '../../../test/e2e/harness.js'

let api: Api
let agent: string
const CONTACT = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'

beforeAll(async () => {
  api = await startApi()
  agent = await api.token('desk-reg', ['support'], 'agent-reg')
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

describe('registrations', () => {
  it("show on the contact's ticket whether a warranty covers them today", async () => {
    // Prepare: a ticket of the contact, before any registration
    const ticket = await api.call('POST', '/tickets', {
      token: agent,
      body: { subject: 'Pump noise', description: 'Loud pump.', requester: { contactId: CONTACT } },
    })
    expect(ticket.status, ticket.text).toBe(201)
    const before = await api.call('GET', `/tickets/${ticket.body.id}`, { token: agent })
    expect(before.body.coverage).toMatchObject({ covered: false, registrations: [] })

    // Act: a lapsed warranty and a running one
    const today = new Date().toISOString().slice(0, 10)
    const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`
    const lapsed = await api.call('POST', '/registrations', {
      token: agent,
      body: {
        contactId: CONTACT,
        product: 'Old grinder',
        serialNumber: 'G-1',
        purchaseDate: '2020-01-01',
        warrantyEnd: '2021-01-01',
      },
    })
    const running = await api.call('POST', '/registrations', {
      token: agent,
      body: {
        contactId: CONTACT,
        product: 'Aurora X2',
        serialNumber: 'AX2-77',
        purchaseDate: '2025-01-01',
        warrantyEnd: nextYear,
      },
    })
    expect([lapsed.status, running.status], running.text).toEqual([201, 201])

    // Assess
    const after = await api.call('GET', `/tickets/${ticket.body.id}`, { token: agent })
    expect(after.body.coverage.covered).toBe(true)
    expect(
      after.body.coverage.registrations.map((r: { serialNumber: string; state: string }) => [
        r.serialNumber,
        r.state,
      ]),
    ).toEqual([
      ['AX2-77', 'covered'],
      ['G-1', 'expired'],
    ])
    const bySerial = await api.call('GET', '/registrations?serialNumber=ax2%2077', { token: agent })
    expect(bySerial.body.items.map((r: { id: string }) => r.id)).toEqual([running.body.id])
    const bad = await api.call('POST', '/registrations', {
      token: agent,
      body: {
        contactId: CONTACT,
        product: 'X',
        serialNumber: 'S',
        purchaseDate: '2025-02-01',
        warrantyEnd: '2025-01-01',
      },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.errors).toContainEqual(
      expect.objectContaining({ field: 'warrantyEnd', code: 'before_purchase' }),
    )
  })
})
