/**
 * The local SES endpoint's configuration-set events: what AWS's mailbox simulator answers
 * (bounce@, complaint@, suppressionlist@simulator.amazonses.com), shaped as SES publishes them to
 * EventBridge, with the message's tags, and only for mail sent with a configuration set.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSesServer, Mailbox, type SesBusEntry } from '../src/ses.js'

const dir = mkdtempSync(join(tmpdir(), 'ses-events-'))
const published: SesBusEntry[] = []
const server = createSesServer(new Mailbox(dir), () => {}, {
  putEvents: async (entries) => {
    published.push(...entries)
  },
})
let client: SESClient

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  client = new SESClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
})
afterAll(async () => {
  client.destroy()
  await new Promise((r) => server.close(r))
  rmSync(dir, { recursive: true, force: true })
})

const raw = (to: string) =>
  Buffer.from(
    `From: a@relay.test\r\nTo: ${to}\r\nSubject: Hi\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHello`,
  )

async function send(to: string, configurationSet?: string): Promise<{ id: string; events: SesBusEntry[] }> {
  published.length = 0
  const out = await client.send(
    new SendRawEmailCommand({
      RawMessage: { Data: raw(to) },
      ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
      Tags: [{ Name: 'c', Value: 'C1' }],
    }),
  )
  // The events follow the answer, as SES's do.
  await new Promise((r) => setTimeout(r, 50))
  return { id: out.MessageId as string, events: [...published] }
}

const detail = (e: SesBusEntry) => JSON.parse(e.Detail) as Record<string, any>

describe('local SES configuration-set events', () => {
  it('an ordinary address: Email Delivered, with the message id and its tags', async () => {
    const { id, events } = await send('ann@example.com', 'crm-test')
    expect(events.map((e) => [e.Source, e.DetailType])).toEqual([['aws.ses', 'Email Delivered']])
    const d = detail(events[0]!)
    expect(d.eventType).toBe('Delivery')
    expect(d.mail.messageId).toBe(id)
    expect(d.mail.tags).toMatchObject({ c: ['C1'], 'ses:configuration-set': ['crm-test'] })
    expect(d.delivery.recipients).toEqual(['ann@example.com'])
  })

  it('bounce@simulator.amazonses.com: a permanent bounce and no delivery', async () => {
    const { events } = await send('bounce@simulator.amazonses.com', 'crm-test')
    expect(events.map((e) => e.DetailType)).toEqual(['Email Bounced'])
    expect(detail(events[0]!).bounce).toMatchObject({
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: 'bounce@simulator.amazonses.com', action: 'failed' }],
    })
  })

  it('complaint@simulator.amazonses.com: delivered, then a complaint', async () => {
    const { events } = await send('complaint@simulator.amazonses.com', 'crm-test')
    expect(events.map((e) => e.DetailType)).toEqual(['Email Delivered', 'Email Complained'])
    expect(detail(events[1]!).complaint).toMatchObject({ complaintFeedbackType: 'abuse' })
  })

  it('suppressionlist@simulator.amazonses.com: bounced as on the account suppression list', async () => {
    const { events } = await send('suppressionlist@simulator.amazonses.com', 'crm-test')
    expect(detail(events[0]!).bounce.bounceSubType).toBe('OnAccountSuppressionList')
  })

  it('no configuration set: no events (SES publishes through the set)', async () => {
    expect((await send('ann@example.com')).events).toEqual([])
  })
})
