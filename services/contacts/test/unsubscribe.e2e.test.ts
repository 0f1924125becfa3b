/** Email.Unsubscribed from campaigns, put on the local bus with the real SDK, withdraws the email consent. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge'
import { newId } from '@relay/core/ids'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let admin: string
let bus: EventBridgeClient

beforeAll(async () => {
  api = await startApi()
  admin = await api.token('acme', ['admin'])
  bus = new EventBridgeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    endpoint: api.runtime.eventsEndpoint,
  })
}, 120_000)
afterAll(async () => {
  bus?.destroy()
  await api?.stop()
})

/** Puts Email.Unsubscribed on the stage's bus as campaigns would; the event id is returned. */
async function unsubscribe(data: Record<string, unknown>, tenantId = 'acme', id = newId()): Promise<string> {
  const out = await bus.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: 'crm.campaigns',
          DetailType: 'Email.Unsubscribed',
          EventBusName: `crm-${api.runtime.stage}`,
          Detail: JSON.stringify({
            id,
            tenantId,
            occurredAt: new Date().toISOString(),
            version: 1,
            correlationId: `corr-${id}`,
            data,
          }),
        },
      ],
    }),
  )
  expect(out.FailedEntryCount ?? 0).toBe(0)
  return id
}

const emailConsent = async (id: string) =>
  (await api.call('GET', `/contacts/${id}`, { token: admin })).body?.consent?.email

describe('Email.Unsubscribed (crm.campaigns)', () => {
  it('withdraws the email consent found by address, publishes Contact.ConsentChanged, once', async () => {
    // Prepare: a contact who opted in
    const created = await api.call('POST', '/contacts', {
      token: admin,
      body: { firstName: 'Maya', emails: [{ address: 'maya@unsub.example' }] },
    })
    expect(created.status, created.text).toBe(201)
    const id = created.body.id as string
    const granted = await api.call('POST', `/contacts/${id}/consent`, {
      token: admin,
      body: {
        channel: 'email',
        status: 'granted',
        source: 'signup form',
        legalBasis: 'consent',
        at: '2026-01-01T00:00:00.000Z',
      },
    })
    expect(granted.status, granted.text).toBe(200)
    // Act: the same event delivered twice, found by address in another case
    const data = {
      email: 'Maya@Unsub.Example',
      reason: 'too many emails',
      occurredAt: '2026-02-01T10:00:00.000Z',
    }
    const eventId = await unsubscribe(data)
    await unsubscribe(data, 'acme', eventId)
    // Assess
    const consent = await eventually(async () => {
      const c = await emailConsent(id)
      return c?.status === 'withdrawn' ? c : undefined
    }, 10_000)
    expect(consent).toMatchObject({
      status: 'withdrawn',
      source: 'campaign-unsubscribe',
      at: '2026-02-01T10:00:00.000Z',
      legalBasis: 'consent',
    })
    // The outbox reaches the bus through the table's stream: wait for both.
    const consentEvents = async () => {
      const events = (await api.call('GET', '/_local/events')).body
      return (
        (events.items ?? events) as { 'detail-type': string; detail?: { data?: { id?: string } } }[]
      ).filter((e) => e['detail-type'] === 'Contact.ConsentChanged' && e.detail?.data?.id === id)
    }
    await eventually(async () => (await consentEvents()).length >= 2, 10_000)
    await new Promise((r) => setTimeout(r, 500))
    const changed = await consentEvents()
    expect(changed).toHaveLength(2) // the grant, then the withdrawal once
    const contact = (await api.call('GET', `/contacts/${id}`, { token: admin })).body
    expect(contact.version).toBe(granted.body.version + 1)
  })

  it('finds the contact by contactId, and leaves another tenant and a later opt-in alone', async () => {
    const created = await api.call('POST', '/contacts', {
      token: admin,
      body: { firstName: 'Leo', emails: [{ address: 'leo@unsub.example' }] },
    })
    const id = created.body.id as string
    await api.call('POST', `/contacts/${id}/consent`, {
      token: admin,
      body: {
        channel: 'email',
        status: 'granted',
        source: 'web',
        legalBasis: 'consent',
        at: '2026-03-01T00:00:00.000Z',
      },
    })
    // Another tenant's event naming this contact and address changes nothing; nor does an older unsubscribe.
    await unsubscribe(
      { contactId: id, email: 'leo@unsub.example', occurredAt: '2026-04-01T00:00:00.000Z' },
      'globex',
    )
    await unsubscribe({ contactId: id, email: 'leo@unsub.example', occurredAt: '2026-02-01T00:00:00.000Z' })
    await api.runtime.bus.idle()
    expect(await emailConsent(id)).toMatchObject({ status: 'granted' })
    // Act
    await unsubscribe({
      contactId: id,
      email: 'someone-else@unsub.example',
      occurredAt: '2026-04-01T00:00:00.000Z',
    })
    // Assess
    const consent = await eventually(async () => {
      const c = await emailConsent(id)
      return c?.status === 'withdrawn' ? c : undefined
    }, 10_000)
    expect(consent).toMatchObject({ source: 'campaign-unsubscribe', at: '2026-04-01T00:00:00.000Z' })
  })
})
