import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import type { Lead } from '@relay/contracts/leads'
import type { Deal, Product } from '@relay/contracts/pipeline'
import { documentClient, isConditionalCheckFailed } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { buildActivity } from '../src/domain/activity.js'
import { buildDeal } from '../src/domain/deal.js'
import { buildLead, convertLead } from '../src/domain/lead.js'
import { buildPipeline, DEFAULT_PIPELINE } from '../src/domain/pipeline.js'
import { manifest } from '../src/service.js'
import { dueReminders, listActivities, saveActivity } from '../src/store/activities.js'
import {
  dealsClosingBetween,
  getDeal,
  hasDealsInStage,
  listDeals,
  removeDeal,
  saveDeal,
} from '../src/store/deals.js'
import { getLead, listLeads, saveLead, writeConversion } from '../src/store/leads.js'
import { getPipeline, listPipelines, putPipeline } from '../src/store/pipelines.js'
import { getProducts, putProduct } from '../src/store/products.js'
import { getQuotas, putQuotas } from '../src/store/quotas.js'
import { getCurrencySettings, putCurrencySettings } from '../src/store/settings.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const NOW = '2026-11-01T00:00:00.000Z'
const tenant = () => `t-${newId().slice(-8).toLowerCase()}`

const deal = (over: { ownerId?: string; closeDate?: string; stageId?: string; name?: string } = {}): Deal => {
  const built = buildDeal(
    { name: over.name ?? 'Deal', ...over },
    { id: newId(), pipeline: DEFAULT_PIPELINE, products: new Map(), userId: 'u-1', now: NOW },
  )
  if ('problems' in built) throw new Error('bad deal')
  return built.deal
}
const lead = (over: Partial<Parameters<typeof buildLead>[0]> = {}): Lead =>
  buildLead({ lastName: 'Lee', source: 'web', ...over }, { id: newId(), userId: 'u-1', now: NOW, rules: [] })

describe('pipeline store on DynamoDB Local', () => {
  let table: string

  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  // A test may Scan its own throw-away table; request paths never do.
  const outboxTypes = async (tenantId: string) => {
    const out = await documentClient().send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'kind = :k AND detail.tenantId = :t',
        ExpressionAttributeValues: { ':k': 'outbox', ':t': tenantId },
      }),
    )
    return (out.Items ?? []).map((i) => i.detailType as string).sort()
  }

  it('1, 2, 4: puts pipelines at a version, reads them only in their tenant, lists newest first', async () => {
    // Prepare
    const t = tenant()
    const a = buildPipeline({ name: 'A', stages: DEFAULT_PIPELINE.stages }, { id: newId(), now: NOW })
    const b = buildPipeline({ name: 'B', stages: DEFAULT_PIPELINE.stages }, { id: newId(), now: NOW })
    // Act
    await putPipeline(t, a, 0)
    await putPipeline(t, b, 0)
    const twice = await putPipeline(t, a, 0).catch((e: unknown) => e)
    const stale = await putPipeline(t, { ...a, version: 3 }, 2).catch((e: unknown) => e)
    await putPipeline(t, { ...a, name: 'A2', version: 2 }, 1)
    // Assess
    expect(isConditionalCheckFailed(twice)).toBe(true)
    expect(isConditionalCheckFailed(stale)).toBe(true)
    expect(await getPipeline(t, a.id)).toMatchObject({ name: 'A2', version: 2 })
    expect(await getPipeline('someone-else', a.id)).toBeUndefined()
    const first = await listPipelines(t, { limit: 1 })
    const second = await listPipelines(t, { limit: 1, cursor: first.nextCursor })
    expect([first.items[0]?.name, second.items[0]?.name]).toEqual(['B', 'A2'])
  })

  it('3: fetches products of line items in one batch, never another tenant’s', async () => {
    const t = tenant()
    const p: Product = {
      id: newId(),
      name: 'Pro',
      sku: 'PRO',
      unitPrice: { amountMinor: 100, currency: 'EUR' },
      active: true,
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
    }
    await putProduct(t, p, 0)
    const found = await getProducts(t, [p.id, p.id, newId()])
    expect([...found.keys()]).toEqual([p.id])
    expect((await getProducts('other', [p.id])).size).toBe(0)
  })

  it('5, 6, 7, 10: lists deals by pipeline and stage, by owner and close range, and by close date', async () => {
    // Prepare
    const t = tenant()
    const early = deal({ ownerId: 'ann', closeDate: '2026-10-05', name: 'early' })
    const late = deal({ ownerId: 'ann', closeDate: '2026-12-31', name: 'late', stageId: 'proposal' })
    const bobs = deal({ ownerId: 'bob', closeDate: '2026-11-10', name: 'bob' })
    const undated = deal({ ownerId: 'ann', name: 'undated' })
    for (const d of [early, late, bobs, undated]) await saveDeal(t, d, 0, [], 'c')
    await saveDeal(tenant(), deal({ ownerId: 'ann', closeDate: '2026-11-01' }), 0, [], 'c')
    // Act
    const inProposal = await listDeals(t, { pipelineId: DEFAULT_PIPELINE.id, stage: 'proposal' })
    const annInQ4 = await listDeals(t, { owner: 'ann', closeFrom: '2026-10-01', closeTo: '2026-12-31' })
    const all = await listDeals(t, {})
    const novemberAll = await listDeals(t, { closeFrom: '2026-11-01', closeTo: '2026-11-30' })
    const annInPipelineFrom = await listDeals(t, {
      pipelineId: DEFAULT_PIPELINE.id,
      owner: 'ann',
      closeFrom: '2026-11-01',
    })
    // Assess
    expect(inProposal.items.map((d) => d.name)).toEqual(['late'])
    expect(await hasDealsInStage(t, DEFAULT_PIPELINE.id, 'proposal')).toBe(true)
    expect(await hasDealsInStage(t, DEFAULT_PIPELINE.id, 'negotiation')).toBe(false)
    expect(annInQ4.items.map((d) => d.name)).toEqual(['early', 'late'])
    expect(all.items.map((d) => d.name)).toEqual(['early', 'bob', 'late', 'undated'])
    expect(novemberAll.items.map((d) => d.name)).toEqual(['bob'])
    expect(annInPipelineFrom.items.map((d) => d.name)).toEqual(['late'])
  })

  it('8: reads every deal closing in a period, all pages', async () => {
    const t = tenant()
    for (let i = 0; i < 5; i++) await saveDeal(t, deal({ closeDate: `2026-11-0${i + 1}` }), 0, [], 'c')
    await saveDeal(t, deal({ closeDate: '2027-01-01' }), 0, [], 'c')
    const { deals, truncated } = await dealsClosingBetween(t, { from: '2026-10-01', to: '2026-12-31' })
    expect(deals).toHaveLength(5)
    expect(truncated).toBe(false)
  })

  it('9: lists leads by status, owner and source, newest first, combining filters', async () => {
    const t = tenant()
    const a = lead({ source: 'web', ownerId: 'ann', status: 'working' })
    const b = lead({ source: 'referral', ownerId: 'ann', status: 'working' })
    const c = lead({ source: 'referral', ownerId: 'bob' })
    for (const l of [a, b, c]) await saveLead(t, l, 0, [], 'c')
    expect((await listLeads(t, { status: 'working' })).items.map((l) => l.id)).toEqual([b.id, a.id])
    expect((await listLeads(t, { owner: 'bob' })).items.map((l) => l.id)).toEqual([c.id])
    expect((await listLeads(t, { source: 'referral' })).items.map((l) => l.id)).toEqual([c.id, b.id])
    expect((await listLeads(t, { status: 'working', source: 'web' })).items.map((l) => l.id)).toEqual([a.id])
    expect((await listLeads(t, {})).items).toHaveLength(3)
  })

  it('10: writes and deletes with their outbox events, only at the version read', async () => {
    const t = tenant()
    const d = deal()
    await saveDeal(t, d, 0, [{ detailType: 'Deal.Created', data: d }], 'c')
    const stale = await removeDeal(t, d.id, 9, [{ detailType: 'Deal.Deleted', data: {} }], 'c').catch(
      (e: unknown) => e,
    )
    expect(isConditionalCheckFailed(stale)).toBe(true)
    await removeDeal(t, d.id, 1, [{ detailType: 'Deal.Deleted', data: { id: d.id } }], 'c')
    expect(await getDeal(t, d.id)).toBeUndefined()
    expect(await outboxTypes(t)).toEqual(['Deal.Created', 'Deal.Deleted'])
  })

  it('11: converts a lead with its new deal in one transaction, and only once', async () => {
    // Prepare
    const t = tenant()
    const l = lead()
    await saveLead(t, l, 0, [], 'c')
    const d = deal()
    const { lead: converted, event } = convertLead(l, {
      contactId: newId(),
      dealId: d.id,
      userId: 'u',
      now: NOW,
    })
    const specs = [
      { detailType: 'Lead.Converted', data: event },
      { detailType: 'Deal.Created', data: d },
    ]
    // Act
    await writeConversion(t, converted, 1, d, specs, 'c')
    const again = await writeConversion(t, converted, 1, { ...d, id: newId() }, specs, 'c').catch(
      (e: unknown) => e,
    )
    // Assess
    expect(isConditionalCheckFailed(again)).toBe(true)
    expect(await getLead(t, l.id)).toMatchObject({ status: 'converted', conversion: { dealId: d.id } })
    expect(await getDeal(t, d.id)).toMatchObject({ id: d.id })
    expect(await outboxTypes(t)).toEqual(['Deal.Created', 'Lead.Converted'])
  })

  it('4, 12: settings and quotas documents at a version', async () => {
    const t = tenant()
    expect(await getCurrencySettings(t)).toBeUndefined()
    await putCurrencySettings(
      t,
      { baseCurrency: 'EUR', rates: [{ currency: 'USD', rate: '0.9' }], version: 1 },
      0,
    )
    const stale = await putCurrencySettings(t, { baseCurrency: 'USD', rates: [], version: 1 }, 0).catch(
      (e: unknown) => e,
    )
    expect(isConditionalCheckFailed(stale)).toBe(true)
    expect(await getCurrencySettings(t)).toMatchObject({ baseCurrency: 'EUR', version: 1 })
    await putQuotas(t, { period: '2026-Q4', quotas: [], version: 1 }, 0)
    expect(await getQuotas(t, '2026-Q4')).toMatchObject({ period: '2026-Q4', version: 1 })
    expect(await getQuotas(t, '2027-Q1')).toBeUndefined()
  })

  it("13, 14: lists an owner's open activities due today or overdue, and a record's activities", async () => {
    // Prepare
    const t = tenant()
    const dealId = newId()
    const make = (subject: string, dueAt?: string, ownerId = 'ann') =>
      buildActivity(
        {
          type: 'task',
          subject,
          relatedTo: { type: 'deal', id: dealId },
          ownerId,
          ...(dueAt ? { dueAt } : {}),
        },
        { id: newId(), userId: 'u', now: NOW },
      )
    const overdue = make('overdue', '2026-11-10T08:00:00.000Z')
    const today = make('today', '2026-11-11T15:00:00.000Z')
    const later = make('later', '2026-11-20T09:00:00.000Z')
    const undated = make('undated')
    const bobs = make('bob', '2026-11-11T09:00:00.000Z', 'bob')
    for (const a of [overdue, today, later, undated, bobs]) await saveActivity(t, a, 0, [], 'c')
    const bounds = {
      start: '2026-11-11T00:00:00.000Z',
      end: '2026-11-12T00:00:00.000Z',
      now: '2026-11-11T12:00:00.000Z',
    }
    // Act
    const todays = await listActivities(t, { owner: 'ann', view: 'today' }, bounds)
    const overdues = await listActivities(t, { owner: 'ann', view: 'overdue' }, bounds)
    const open = await listActivities(t, { owner: 'ann', view: 'open' }, bounds)
    const ofDeal = await listActivities(t, { owner: 'ann', relatedType: 'deal', relatedId: dealId }, bounds)
    // Assess
    expect(todays.items.map((a) => a.subject)).toEqual(['today'])
    expect(overdues.items.map((a) => a.subject)).toEqual(['overdue'])
    expect(open.items.map((a) => a.subject)).toEqual(['overdue', 'today', 'later', 'undated'])
    expect(ofDeal.items).toHaveLength(5)
  })

  it('15: finds due reminders across tenants in the sparse index, and forgets sent ones', async () => {
    const day = '2031-01-02'
    const make = (at: string) =>
      buildActivity(
        {
          type: 'call',
          subject: at,
          relatedTo: { type: 'lead', id: newId() },
          reminderAt: `${day}T${at}:00.000Z`,
        },
        { id: newId(), userId: 'u', now: NOW },
      )
    const [a, b, c] = [make('08:00'), make('09:00'), make('23:00')]
    const [t1, t2] = [tenant(), tenant()]
    await saveActivity(t1, a, 0, [], 'c')
    await saveActivity(t2, b, 0, [], 'c')
    await saveActivity(t1, c, 0, [], 'c')
    const due = await dueReminders([day], `${day}T10:00:00.000Z`, 10)
    expect(due.map((d) => [d.tenantId, d.activity.id])).toEqual([
      [t1, a.id],
      [t2, b.id],
    ])
    await saveActivity(t1, { ...a, reminderSentAt: NOW, version: 2 }, 1, [], 'c')
    expect((await dueReminders([day], `${day}T10:00:00.000Z`, 10)).map((d) => d.activity.id)).toEqual([b.id])
  })
})
