/**
 * Who may name an owner (the ownership rule, declared per route and enforced by core) and which
 * references a deal or an activity may make (store/references.ts), with DynamoDB faked.
 */
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import type { Role, RouteDef } from '@relay/core/manifest'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ZodMiniType } from 'zod/mini'
import { DEFAULT_PIPELINE } from '../src/domain/pipeline.js'
import { handler as createActivity } from '../src/handlers/create-activity.js'
import { handler as createDeal } from '../src/handlers/create-deal.js'
import { handler as createLead } from '../src/handlers/create-lead.js'
import { handler as updateLead } from '../src/handlers/update-lead.js'
import { manifest } from '../src/service.js'
import { context, httpEvent, parse } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
const NOW = '2026-11-01T10:00:00.000Z'
const LEAD = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'
const CONTACT = '01JD3Y0C6Z8R4F2G9QK7WXN5TC'
const SURVIVOR = '01JD3Y0C6Z8R4F2G9QK7WXN5TD'

beforeAll(() => {
  process.env.PIPELINE_MAIN_TABLE = 'crm-test-pipeline-main'
})
afterEach(() => {
  ddb.reset()
})

/** Items answered to GetItem by pk; anything else is absent. */
const stored = (items: Record<string, Record<string, unknown>>) =>
  ddb.on(GetCommand).callsFake((input) => ({ Item: items[input.Key.pk] }))

const post = (path: string, body: unknown, roles: readonly Role[]) =>
  httpEvent({ method: 'POST', path, body, roles })

const shapeOf = (schema: ZodMiniType | undefined) =>
  (schema as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape ?? {}

describe('ownership', () => {
  it('every route whose body names an owner declares ownerField, so core enforces the rule on it', () => {
    const routes: readonly RouteDef[] = manifest.routes
    const naming = routes.filter((r) => 'ownerId' in shapeOf(r.body))
    expect(naming.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'PATCH /activities/{id}',
      'PATCH /deals/{id}',
      'PATCH /leads/{id}',
      'POST /activities',
      'POST /deals',
      'POST /forms',
      'POST /leads',
    ])
    for (const r of naming) expect(r.ownerField, `${r.method} ${r.path}`).toBe('ownerId')
  })

  it('sales may create a deal only for themselves; a manager may name anyone', async () => {
    stored({})
    ddb.on(TransactWriteCommand).resolves({})
    const other = parse(
      await createDeal(post('/deals', { name: 'D', ownerId: 'u-other' }, ['sales']), context),
    )
    expect(other.status).toBe(403)
    expect(other.body.errors.map((e: { field: string }) => e.field)).toEqual(['ownerId'])
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0)
    const self = parse(await createDeal(post('/deals', { name: 'D', ownerId: 'user-1' }, ['sales']), context))
    expect(self.status, JSON.stringify(self.body)).toBe(201)
    const managed = parse(
      await createDeal(post('/deals', { name: 'D', ownerId: 'u-other' }, ['manager']), context),
    )
    expect(managed.status).toBe(201)
    expect(managed.body.ownerId).toBe('u-other')
  })

  it('sales may not reassign a lead, a manager may', async () => {
    const lead = {
      pk: `T#acme#LEAD#${LEAD}`,
      sk: 'LEAD',
      id: LEAD,
      lastName: 'Lee',
      source: 'web',
      status: 'new',
      ownerId: 'user-1',
      score: 0,
      fitScore: 0,
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
    }
    stored({ [lead.pk]: lead })
    ddb.on(TransactWriteCommand).resolves({})
    const patch = (roles: readonly Role[]) =>
      updateLead(
        httpEvent({
          method: 'PATCH',
          path: `/leads/${LEAD}`,
          params: { id: LEAD },
          body: { ownerId: 'u-2' },
          roles,
        }),
        context,
      ).then(parse)
    expect((await patch(['sales'])).status).toBe(403)
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0)
    const res = await patch(['manager'])
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.ownerId).toBe('u-2')
  })

  it('a lead created by sales without an owner is theirs (no assignment rules set)', async () => {
    stored({})
    ddb.on(TransactWriteCommand).resolves({})
    const res = parse(
      await createLead(post('/leads', { lastName: 'Lee', source: 'web' }, ['sales']), context),
    )
    expect(res.status).toBe(201)
    expect(res.body.ownerId).toBe('user-1')
  })
})

describe('references', () => {
  const mail = (contactId: string, over: Record<string, unknown>) => ({
    pk: `T#acme#CONTACTMAIL#${contactId}`,
    sk: 'CONTACTMAIL',
    contactId,
    fingerprints: [],
    version: 2,
    ...over,
  })

  it('a deal may not point at a contact merged away: 400 naming the survivor, nothing written', async () => {
    stored({ [`T#acme#CONTACTMAIL#${CONTACT}`]: mail(CONTACT, { gone: 'merged', mergedInto: SURVIVOR }) })
    const res = parse(await createDeal(post('/deals', { name: 'D', contactId: CONTACT }, ['sales']), context))
    expect(res.status).toBe(400)
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'contactId', code: 'contact_merged' })])
    expect(res.body.errors[0].message).toContain(SURVIVOR)
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0)
  })

  it('a deal may not point at a deleted or erased contact', async () => {
    for (const gone of ['deleted', 'erased']) {
      ddb.reset()
      stored({ [`T#acme#CONTACTMAIL#${CONTACT}`]: mail(CONTACT, { gone }) })
      const res = parse(
        await createDeal(post('/deals', { name: 'D', contactId: CONTACT }, ['sales']), context),
      )
      expect(res.status).toBe(400)
      expect(res.body.errors[0]).toMatchObject({ field: 'contactId', code: 'contact_gone' })
    }
  })

  it('a contact not projected yet (created a moment ago) is accepted: contacts parks what it cannot place yet', async () => {
    stored({})
    ddb.on(TransactWriteCommand).resolves({})
    const res = parse(await createDeal(post('/deals', { name: 'D', contactId: CONTACT }, ['sales']), context))
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ contactId: CONTACT, pipelineId: DEFAULT_PIPELINE.id })
  })

  it("an activity's relatedTo: a missing deal or lead, or a gone contact → 400 naming relatedTo.id", async () => {
    stored({ [`T#acme#CONTACTMAIL#${CONTACT}`]: mail(CONTACT, { gone: 'deleted' }) })
    const activity = (type: string, id: string) =>
      createActivity(
        post('/activities', { type: 'call', subject: 'Call', relatedTo: { type, id } }, ['sales']),
        context,
      ).then(parse)
    for (const [type, id, code] of [
      ['deal', LEAD, 'unknown_deal'],
      ['lead', LEAD, 'unknown_lead'],
      ['contact', CONTACT, 'contact_gone'],
    ] as const) {
      const res = await activity(type, id)
      expect(res.status, type).toBe(400)
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'relatedTo.id', code })])
    }
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0)
  })
})
