/**
 * Journeys on DynamoDB Local: the trigger subscriber enrols a contact once (a redelivery, a second
 * trigger, a race), re-entry only after the run ended, exit events end a run (campaigns' own
 * through the email-activity worker); the step worker runs conditions, waits (delayed message or due-time index) and ends runs; the wake poller hands due
 * waits back to the queue once.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { commitWithDedupe, documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import { itemsOf } from '@relay/core/work'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { handler as countEmailEvent } from '../src/handlers/count-email-event.js'
import { handler as onJourneyEvent } from '../src/handlers/on-journey-event.js'
import { handler as runStep } from '../src/handlers/run-journey-step.js'
import { handler as wakeJourneys } from '../src/handlers/wake-journeys.js'
import { manifest } from '../src/service.js'
import { projectionWork } from '../src/store/audience.js'
import { dueWakes, getEnrolment, insertJourney, releaseWake, WAKE_SHARDS } from '../src/store/journeys.js'
import { dealWon } from './deal-events.js'
import { sqsEvent } from './sqs-event.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const tenant = () => `t-${newId().slice(-8).toLowerCase()}`

let table: string
beforeAll(async () => {
  table = await createServiceTable(STAGE, manifest)
})
afterAll(() => dropTable(table))

const created = (t: string, id: string, eventId?: string) =>
  onJourneyEvent(
    busEvent({
      source: 'crm.contacts',
      detailType: 'Contact.Created',
      tenantId: t,
      ...(eventId ? { id: eventId } : {}),
      data: {
        id,
        displayName: 'Ann',
        emails: [{ address: `${id}@example.com`, primary: true }],
        phones: [],
        tags: [],
        ownerId: 'u-1',
        version: 1,
        createdAt: '2026-03-01T10:00:00.000Z',
        updatedAt: '2026-03-01T10:00:00.000Z',
      },
    }),
  )

/** The queue messages the outbox holds for `t` (what the queue publisher would send). */
async function queued(t: string) {
  const out = await documentClient().send(
    new ScanCommand({
      TableName: table,
      FilterExpression: 'begins_with(pk, :p) AND kind = :k',
      ExpressionAttributeValues: { ':p': tenantKey(t, 'OUTBOX'), ':k': 'queue' },
    }),
  )
  return (out.Items ?? []).map((i) => ({
    id: String(i.id),
    body: JSON.parse(String(i.body)),
    delaySeconds: i.delaySeconds,
  }))
}

const sqs = sqsEvent

describe('journeys on DynamoDB Local', () => {
  it('enrols a contact once per journey, whatever is delivered twice', async () => {
    const t = tenant()
    const j = await insertJourney(t, {
      name: 'Welcome',
      trigger: { source: 'crm.contacts', detailType: 'Contact.Created' },
      steps: [{ type: 'send', templateId: newId() }],
    })
    const c = newId()
    const eventId = newId()
    await created(t, c, eventId)
    await created(t, c, eventId)
    await created(t, c) // another event id: the enrolment's condition refuses a second run
    const run = await getEnrolment(t, c, j.id)
    expect(run).toMatchObject({ status: 'active', run: 1, step: 0, sent: [] })
    const messages = (await queued(t)).filter((m) => m.body.journeyId === j.id)
    expect(messages.map((m) => m.body)).toEqual([
      expect.objectContaining({ kind: 'step', contactId: c, run: 1, step: 0 }),
    ])
  })

  it('re-enters only after the run ended when allowed, and an exit event ends a running run', async () => {
    const t = tenant()
    const again = await insertJourney(t, {
      name: 'Again',
      trigger: { source: 'crm.contacts', detailType: 'Contact.Created' },
      steps: [
        { type: 'wait', minutes: 60 },
        { type: 'send', templateId: newId() },
      ],
      exitOn: [{ source: 'crm.pipeline', detailType: 'Deal.Won' }],
      allowReentry: true,
    })
    const c = newId()
    await created(t, c)
    await created(t, c) // still running: no second run
    expect(await getEnrolment(t, c, again.id)).toMatchObject({ run: 1, status: 'active' })
    const won = dealWon(t, c, '2026-03-02T10:00:00.000Z')
    await onJourneyEvent(won)
    expect(await getEnrolment(t, c, again.id)).toMatchObject({
      run: 1,
      status: 'exited',
      exitReason: 'Deal.Won arrived',
    })
    await created(t, c)
    expect(await getEnrolment(t, c, again.id)).toMatchObject({ run: 2, status: 'active', step: 0 })
  })

  it("ends a run on campaigns' own Email.Clicked through the email-activity worker, not the bus", async () => {
    const t = tenant()
    const j = await insertJourney(t, {
      name: 'Nurture',
      trigger: { source: 'crm.contacts', detailType: 'Contact.Created' },
      steps: [
        { type: 'wait', minutes: 60 },
        { type: 'send', templateId: newId() },
      ],
      exitOn: [{ source: 'crm.campaigns', detailType: 'Email.Clicked' }],
    })
    const c = newId()
    await created(t, c)
    const clicked = {
      id: newId(),
      detailType: 'Email.Clicked',
      tenantId: t,
      occurredAt: '2026-03-02T10:00:00.000Z',
      correlationId: newId(),
      data: { contactId: c, email: `${c}@example.com`, url: 'https://x.test/1', link: 0 },
    }
    const messageId = newId()
    expect((await countEmailEvent(sqs(messageId, clicked))).batchItemFailures).toEqual([])
    expect(await getEnrolment(t, c, j.id)).toMatchObject({
      status: 'exited',
      exitReason: 'Email.Clicked arrived',
    })
    // The bus subscriber no longer follows our own events: its subscription drops it.
    const journeyRule = manifest.subscriptions.find((s) => s.name === 'journey-events')
    expect(JSON.stringify(journeyRule?.pattern)).not.toContain('"crm.campaigns"')
  })

  it('runs steps: a short wait as a delayed message, a long one through the due-time index, conditions on the projection', async () => {
    const t = tenant()
    const j = await insertJourney(t, {
      name: 'Nurture',
      trigger: { source: 'crm.contacts', detailType: 'Contact.Created' },
      steps: [
        { type: 'wait', minutes: 10 },
        { type: 'wait', minutes: 3 * 24 * 60 },
        { type: 'condition', rule: { type: 'tag', op: 'hasAny', values: ['vip'] } },
        { type: 'send', templateId: newId() },
      ],
    })
    const c = newId()
    // The contact as campaigns' audience knows it (no vip tag).
    const projected = await projectionWork(t, c, () => ({
      contactId: c,
      email: `${c}@example.com`,
      tags: ['regular'],
      consent: { email: 'granted' },
      versions: {},
      engagement: {},
    }))
    await commitWithDedupe(itemsOf(projected), {
      TableName: table,
      Item: { pk: tenantKey(t, 'EVT', newId()), sk: 'EVT' },
      ConditionExpression: 'attribute_not_exists(pk)',
    })
    await created(t, c)
    const step = async (body: unknown) => {
      const id = newId()
      const out = await runStep(sqs(id, body))
      expect(out.batchItemFailures).toEqual([])
    }
    const next = async (after: string[]) => {
      const all = (await queued(t)).filter((m) => m.body.journeyId === j.id && !after.includes(m.id))
      return all
    }
    let seen: string[] = []
    let messages = await next(seen)
    expect(messages.map((m) => m.body.step)).toEqual([0])
    seen = messages.map((m) => m.id)
    await step(messages[0]?.body)
    // 10 minutes: SQS holds it.
    messages = await next(seen)
    expect(messages).toMatchObject([{ body: { step: 1 }, delaySeconds: 600 }])
    seen.push(...messages.map((m) => m.id))
    await step(messages[0]?.body)
    // 3 days: no message, a wake in the due-time index instead.
    expect(await next(seen)).toEqual([])
    expect(await getEnrolment(t, c, j.id)).toMatchObject({ status: 'active', step: 2 })
    const inThreeDays = new Date(Date.now() + 3 * 86_400_000 + 60_000).toISOString()
    let wake: Awaited<ReturnType<typeof dueWakes>>[number] | undefined
    for (let s = 0; s < WAKE_SHARDS && !wake; s++)
      wake = (await dueWakes(s, inThreeDays, 100)).find((w) => w.key.pk.includes(c))
    expect(wake?.message).toMatchObject({ kind: 'step', step: 2, contactId: c })
    // Not due yet: the poller leaves it.
    await wakeJourneys()
    expect(await next(seen)).toEqual([])
    // Due: handed to the queue once (a second poller finds it gone).
    if (!wake) throw new Error('no wake')
    expect(await releaseWake(wake, inThreeDays)).toBe(true)
    expect(await releaseWake(wake, inThreeDays)).toBe(false)
    messages = await next(seen)
    expect(messages).toMatchObject([{ body: { step: 2 } }])
    // The condition (no vip tag) ends the run when its turn comes.
    await step(messages[0]?.body)
    expect(await getEnrolment(t, c, j.id)).toMatchObject({
      status: 'exited',
      exitReason: 'condition of step 3 not met',
      sent: [],
    })
  })
})
