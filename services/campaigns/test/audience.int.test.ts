/**
 * The audience projection, the suppression list and segment membership on DynamoDB Local: contacts'
 * events through the real subscriber (dedupe, version order, merge, erasure), a preview over every
 * shard, and the send-time walk page by page.
 */
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import type { SegmentRule } from '@relay/contracts/campaigns'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import { NotFound, StaleVersion } from '@relay/core/outcomes'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { handler as onContactEvent } from '../src/handlers/on-contact-event.js'
import { manifest } from '../src/service.js'
import { AUDIENCE_SHARDS, audienceKey, engagementItem, getAudienceRecord } from '../src/store/audience.js'
import { previewSegment, segmentRecipientsPage } from '../src/store/members.js'
import { deleteSegment, insertSegment } from '../src/store/segments.js'
import {
  liftSuppression,
  suppress,
  suppressedAmong,
  suppressionItem,
  suppressionSet,
} from '../src/store/suppressions.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const tenant = () => `t-${newId().slice(-8).toLowerCase()}`
const AT = '2026-03-01T10:00:00.000Z'
const consent = (status: string) => ({ status, at: AT, source: 'form', legalBasis: 'consent' })

const contactOf = (id: string, email: string, extra: Record<string, unknown> = {}) => ({
  id,
  displayName: 'Someone',
  emails: [{ address: email, primary: true }],
  phones: [],
  tags: [],
  ownerId: 'u-1',
  version: 1,
  createdAt: AT,
  updatedAt: AT,
  ...extra,
})

const deliver = (tenantId: string, detailType: string, data: unknown, id?: string) =>
  onContactEvent(busEvent({ source: 'crm.contacts', detailType, data, tenantId, ...(id ? { id } : {}) }))

const created = (t: string, c: ReturnType<typeof contactOf>) => deliver(t, 'Contact.Created', c)
const consentTo = (t: string, id: string, version: number, status: string) =>
  deliver(t, 'Contact.ConsentChanged', { id, version, channel: 'email', after: consent(status) })

describe('audience projection on DynamoDB Local', () => {
  let table: string
  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  it('projects a contact from its events, once per event id, whatever order they come in', async () => {
    const t = tenant()
    const id = newId()
    // The update (v3) and the consent (v2) come before the creation (v1).
    await deliver(t, 'Contact.Updated', { id, version: 3, changes: { tags: { before: [], after: ['vip'] } } })
    await consentTo(t, id, 2, 'granted')
    const eventId = newId()
    await deliver(
      t,
      'Contact.Created',
      contactOf(id, 'Ann@Acme.io', { firstName: 'Ann', tags: ['old'] }),
      eventId,
    )
    await deliver(
      t,
      'Contact.Created',
      contactOf(id, 'Ann@Acme.io', { firstName: 'Ann', tags: ['old'] }),
      eventId,
    )
    const stored = await getAudienceRecord(t, id)
    expect(stored?.record).toMatchObject({
      email: 'ann@acme.io',
      firstName: 'Ann',
      tags: ['vip'],
      consent: { email: 'granted' },
    })
    // Three writes, the duplicate none.
    expect(stored?.rev).toBe(3)
    // A late, older update changes nothing.
    await deliver(t, 'Contact.Updated', {
      id,
      version: 2,
      changes: { tags: { before: ['old'], after: ['older'] } },
    })
    expect((await getAudienceRecord(t, id))?.record.tags).toEqual(['vip'])
  })

  it('fences two projection writes racing on one contact: the loser throws, its redelivery lands', async () => {
    const t = tenant()
    const id = newId()
    await created(t, contactOf(id, 'race@x.io'))
    const events = [
      busEvent({
        source: 'crm.contacts',
        detailType: 'Contact.ConsentChanged',
        tenantId: t,
        data: { id, version: 2, channel: 'email', after: consent('granted') },
      }),
      busEvent({
        source: 'crm.contacts',
        detailType: 'Contact.Updated',
        tenantId: t,
        data: { id, version: 3, changes: { tags: { after: ['raced'] } } },
      }),
    ]
    // Delivered at once, repeatedly, as the bus would retry: whichever loses a race is delivered again.
    let pending = events
    for (let round = 0; pending.length && round < 10; round++) {
      const results = await Promise.allSettled(pending.map((e) => onContactEvent(e)))
      pending = pending.filter((_, i) => results[i]!.status === 'rejected')
    }
    expect(pending).toEqual([])
    const stored = await getAudienceRecord(t, id)
    expect(stored?.record).toMatchObject({ consent: { email: 'granted' }, tags: ['raced'] })
    expect(stored?.rev).toBe(3)
  })

  it('keeps engagement written by the sender next to the projection, and merges it into the surviving contact', async () => {
    const t = tenant()
    const [target, source] = [newId(), newId()]
    await created(t, contactOf(target, 'keep@x.io'))
    await created(t, contactOf(source, 'gone@x.io'))
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          engagementItem(t, source, 'clicked', '2026-03-02T00:00:00.000Z'),
          engagementItem(t, target, 'opened', '2026-03-01T00:00:00.000Z'),
        ],
      }),
    )
    // The source's deletion first, then the merge: the target ends with both histories.
    await deliver(t, 'Contact.Deleted', { id: source, version: 1, mergedInto: target })
    await deliver(t, 'Contact.Merged', {
      id: target,
      version: 2,
      sourceId: source,
      changes: { tags: { after: ['merged'] } },
    })
    const kept = (await getAudienceRecord(t, target))?.record
    expect(kept?.engagement).toEqual({
      opened: '2026-03-01T00:00:00.000Z',
      clicked: '2026-03-02T00:00:00.000Z',
    })
    expect(kept?.tags).toEqual(['merged'])
    const gone = (await getAudienceRecord(t, source))?.record
    expect(gone?.deleted).toMatchObject({ mergedInto: target })
    expect(gone?.email).toBeUndefined()
    // The projection's write did not clobber the engagement attribute, and a later one still lands.
    await documentClient().send(
      new TransactWriteCommand({ TransactItems: [engagementItem(t, target, 'sent', AT)] }),
    )
    await deliver(t, 'Contact.Updated', { id: target, version: 3, changes: { firstName: { after: 'Kay' } } })
    expect((await getAudienceRecord(t, target))?.record.engagement.sent).toBe(AT)
  })

  it('erases: the tombstone has no personal data and no engagement, and an old event does not revive it', async () => {
    const t = tenant()
    const id = newId()
    await created(t, contactOf(id, 'erase@x.io', { firstName: 'Eve', customFields: { a: 1 } }))
    await documentClient().send(
      new TransactWriteCommand({ TransactItems: [engagementItem(t, id, 'opened', AT)] }),
    )
    await deliver(t, 'Contact.Deleted', { id, version: 2 })
    await deliver(t, 'Contact.Erased', { id, version: 2 })
    await consentTo(t, id, 1, 'granted')
    const rec = (await getAudienceRecord(t, id))?.record
    expect(rec).toMatchObject({
      contactId: id,
      tags: [],
      consent: {},
      engagement: {},
      deleted: { erased: true },
    })
    expect(rec?.email ?? rec?.firstName ?? rec?.customFields).toBeUndefined()
  })

  it('keeps one suppression per address (the first reason) and finds them one by one or all at once', async () => {
    const t = tenant()
    expect(await suppress(t, { email: 'B@x.io', reason: 'bounce', source: 'ses', at: AT })).toBe(true)
    expect(await suppress(t, { email: 'b@x.io', reason: 'manual', source: 'u', at: AT })).toBe(false)
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [suppressionItem(t, { email: 'b@x.io', reason: 'complaint', source: 'ses', at: AT })],
      }),
    )
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          suppressionItem(t, { email: 'c@x.io', reason: 'unsubscribe', source: 'one-click', at: AT }),
        ],
      }),
    )
    expect([...(await suppressedAmong(t, ['b@x.io', 'C@X.IO', 'd@x.io']))].sort()).toEqual([
      'b@x.io',
      'c@x.io',
    ])
    expect([...(await suppressionSet(t))].sort()).toEqual(['b@x.io', 'c@x.io'])
    expect(await suppressionSet(tenant())).toEqual(new Set())
  })

  it('deletes on If-Match only at the version held: a segment at its version, a suppression at 1 (write-once)', async () => {
    const t = tenant()
    const seg = await insertSegment(
      t,
      { name: 'VIP', rule: { type: 'tag', op: 'hasAny', values: ['vip'] } },
      'u-1',
    )
    await expect(deleteSegment(t, seg.id, seg.version + 1)).rejects.toBeInstanceOf(StaleVersion)
    await deleteSegment(t, seg.id, seg.version)
    await expect(deleteSegment(t, seg.id, seg.version)).rejects.toBeInstanceOf(NotFound)
    await expect(deleteSegment(t, seg.id)).rejects.toBeInstanceOf(NotFound)

    await suppress(t, { email: 'e@x.io', reason: 'bounce', source: 'ses', at: AT })
    await expect(liftSuppression(t, 'e@x.io', 2)).rejects.toBeInstanceOf(StaleVersion)
    await liftSuppression(t, 'E@x.io', 1)
    await expect(liftSuppression(t, 'e@x.io', 1)).rejects.toBeInstanceOf(NotFound)
    // An item written before suppressions had a version is at version 1.
    await documentClient().send(
      new PutCommand({
        TableName: table,
        Item: { pk: tenantKey(t, 'SUPPRESSION'), sk: 'f@x.io', kind: 'suppression', email: 'f@x.io' },
      }),
    )
    await expect(liftSuppression(t, 'f@x.io', 3)).rejects.toBeInstanceOf(StaleVersion)
    await liftSuppression(t, 'f@x.io', 1)
    expect(await suppressedAmong(t, ['e@x.io', 'f@x.io'])).toEqual(new Set())
  })

  describe('segment membership', () => {
    const t = tenant()
    const N = 60
    const ids: string[] = []
    const rule: SegmentRule = { type: 'tag', op: 'hasAny', values: ['vip'] }

    beforeAll(async () => {
      // Every third is a VIP; of those, every other has no consent; one consenting VIP is suppressed,
      // one is deleted.
      for (let i = 0; i < N; i++) ids.push(newId())
      await Promise.all(
        ids.map(async (id, i) => {
          await created(t, contactOf(id, `p${i}@x.io`, { tags: i % 3 === 0 ? ['VIP'] : ['other'] }))
          if (i % 6 === 0) await consentTo(t, id, 2, 'granted')
          else if (i % 2 === 0) await consentTo(t, id, 2, 'withdrawn')
        }),
      )
      await suppress(t, { email: 'p6@x.io', reason: 'bounce', source: 'ses', at: AT })
      await deliver(t, 'Contact.Deleted', { id: ids[12], version: 3 })
    })

    // VIPs: i % 3 === 0 → 20; consenting: i % 6 === 0 → 10, minus p6 (suppressed) and p12 (deleted).
    const expected = () => ids.filter((_, i) => i % 6 === 0 && i !== 6 && i !== 12).sort()

    it('previews: the count without the unconsenting and the suppressed, the newest as a sample', async () => {
      const shards = new Set(ids.map((id) => audienceKey(t, id).pk))
      expect(shards.size).toBeGreaterThan(AUDIENCE_SHARDS / 2)
      const p = await previewSegment(t, 'S', rule, { sample: 5 })
      expect(p).toMatchObject({
        count: 8,
        matched: 19,
        excluded: { noEmail: 0, noConsent: 10, suppressed: 1 },
      })
      expect(p.scanned).toBe(N)
      expect(p.sample.map((m) => m.contactId)).toEqual(expected().reverse().slice(0, 5))
      expect(p.sample[0]).toMatchObject({ tags: ['VIP'] })
    })

    it('walks the same members page by page across the shards, and a cursor reads the same page again', async () => {
      const seen: string[] = []
      let cursor: string | undefined
      let pages = 0
      let again: { cursor: string; ids: string[] } | undefined
      do {
        const page = await segmentRecipientsPage(t, rule, { cursor, limit: 5 })
        pages++
        if (cursor && !again) again = { cursor, ids: page.recipients.map((r) => r.contactId) }
        seen.push(...page.recipients.map((r) => r.contactId))
        cursor = page.nextCursor
      } while (cursor)
      expect(seen.sort()).toEqual(expected())
      expect(pages).toBeGreaterThanOrEqual(N / 5)
      const replayed = await segmentRecipientsPage(t, rule, { cursor: again!.cursor, limit: 5 })
      expect(replayed.recipients.map((r) => r.contactId)).toEqual(again!.ids)
      // One shard alone: its members only, and its walk ends with it.
      const one = await segmentRecipientsPage(t, rule, { shard: 3, limit: 1000 })
      expect(one.nextCursor).toBeUndefined()
      expect(one.recipients.every((r) => audienceKey(t, r.contactId).pk.endsWith('#AUD#03'))).toBe(true)
    })

    it('leaves out an address suppressed while the walk runs, and refuses another tenant’s cursor', async () => {
      // The first shard that has a recipient.
      let cursor: string | undefined
      let page = await segmentRecipientsPage(t, rule, { limit: 1000 })
      while (!page.recipients.length && page.nextCursor) {
        cursor = page.nextCursor
        page = await segmentRecipientsPage(t, rule, { cursor, limit: 1000 })
      }
      const victim = page.recipients[0]!
      await suppress(t, { email: victim.email!, reason: 'complaint', source: 'ses', at: AT })
      const again = await segmentRecipientsPage(t, rule, { cursor, limit: 1000 })
      expect(again.recipients.map((r) => r.contactId)).not.toContain(victim.contactId)
      expect(again.skipped.suppressed).toBe(page.skipped.suppressed + 1)
      // A one-item page always has a cursor (to the rest of its shard, or to the next shard).
      const first = await segmentRecipientsPage(t, rule, { limit: 1 })
      expect(first.nextCursor).toBeDefined()
      await expect(
        segmentRecipientsPage(tenant(), rule, { cursor: first.nextCursor, limit: 5 }),
      ).rejects.toThrow()
    })
  })
})
