/**
 * All DynamoDB access of the pipeline service (table `main`). Every key starts with the tenant
 * taken from the token, so another tenant's id is simply not found. No Scan anywhere.
 *
 * Items:
 * | item        | pk                          | sk            | indexes                                                    |
 * | pipeline    | T#t#PIPELINE#<id>           | PIPELINE      | gsi1: T#t#PIPELINES / T#t#PIPELINE#<id>                    |
 * | product     | T#t#PRODUCT#<id>            | PRODUCT       | gsi1: T#t#PRODUCTS / T#t#PRODUCT#<id>                      |
 * | deal        | T#t#DEAL#<id>               | DEAL          | gsi1: T#t#DEALS#PIPELINE#<pid> / T#t#STAGE#<stage>#DEAL#<id> |
 * |             |                             |               | gsi2: T#t#DEALS#OWNER#<owner> / T#t#CLOSE#<date|NONE>#DEAL#<id> |
 * |             |                             |               | gsi3: T#t#DEALS / T#t#CLOSE#<date|NONE>#DEAL#<id>          |
 * |             |                             |               | gsi4 (with a contact): T#t#DEALS#CONTACT#<cid> / T#t#DEAL#<id> |
 * | lead        | T#t#LEAD#<id>               | LEAD          | gsi1: T#t#LEADS#STATUS#<s>, gsi2: T#t#LEADS#OWNER#<o>,     |
 * |             |                             |               | gsi3: T#t#LEADS, gsi4: T#t#LEADS#SOURCE#<src>; sk T#t#LEAD#<id> |
 * | activity    | T#t#ACTIVITY#<id>           | ACTIVITY      | gsi1: T#t#ACTIVITIES#OWNER#<o>#<status> / T#t#DUE#<dueAt|NONE>#ACT#<id> |
 * |             |                             |               | gsi2: T#t#ACTIVITIES#<relatedType>#<relatedId> / T#t#ACT#<id> |
 * |             |                             |               | gsi4 (sparse, only while a reminder waits): REMINDERS#<day> / <reminderAt>#T#t#ACT#<id> |
 * | settings    | T#t#SETTINGS                | CURRENCIES / LEAD_SCORING | –                                              |
 * | quotas      | T#t#QUOTAS#<period>         | QUOTAS        | –                                                          |
 * | contact link| T#t#CONTACTLINK#<contactId> | LEAD#<leadId> | – (written with a conversion: which lead became the contact) |
 * | outbox      | T#t#OUTBOX#<eventId>        | OUTBOX        | – (ttl 3 days)                                             |
 * | form        | T#t#FORM#<id>               | FORM          | gsi1: T#t#FORMS / T#t#FORM#<id>                            |
 * | form ref    | FORMREF#<formId>            | FORMREF       | – { tenantId }: the public endpoint's way in (pattern 17)  |
 * | form rate   | T#t#FORMRATE#<formId>#<minute> | RATE       | – counter `n`, ttl 2 minutes after its window              |
 * | round robin | T#t#RR#<teamId>             | RR            | – counter `n` of the team's assignments                    |
 * | email link  | T#t#LEADEMAIL#<fingerprint> | LEAD#<leadId> | – written with the lead (create, email change); checked on use |
 * | contact mail| T#t#CONTACTMAIL#<contactId> | CONTACTMAIL   | – { fingerprints, version, gone? }: projection of Contact.Created / |
 *             |                             |               |   Updated / Merged (emails at a contact version); a tombstone once erased or merged away |
 * | settings    | T#t#SETTINGS                | LEAD_ASSIGNMENT / AUTOMATIONS / USERS | – (like CURRENCIES)                |
 *
 * Access patterns:
 *  1. Get a pipeline / product / deal / lead by id   GetItem (consistent: its version feeds If-Match)
 *  2. List pipelines / products, newest first         Query gsi1 (pk = T#t#PIPELINES | T#t#PRODUCTS), descending
 *  3. Products of line items                          BatchGetItem (≤ 50 keys, unprocessed keys retried)
 *  4. Put pipeline / product / settings / quotas      PutItem, attribute_not_exists(pk) or version = the version read
 *  5. Deals of a pipeline [in a stage]                Query gsi1 (pk pipeline, sk begins_with stage)
 *  6. Deals of an owner [closing between]             Query gsi2 (pk owner, sk BETWEEN close dates)
 *  7. Deals [closing between]                         Query gsi3 (sk BETWEEN close dates), close date ascending
 *     (other filters of 5-7 as FilterExpression on the chosen index, so a page can hold fewer items than `limit`)
 *  8. Forecast: deals closing in a period [of owner]  Query gsi3 (or gsi2), every page, at most 5 000 deals
 *  9. Leads by status / owner / source / all          Query gsi1 / gsi2 / gsi4 / gsi3, newest first (+ filters)
 * 10. Create / update / delete deal or lead           TransactWriteItems: the item (conditioned) + outbox events
 * 11. Convert a lead                                  TransactWriteItems: lead (version) + new deal + outbox
 *                                                     Lead.Converted (+ Deal.Created)
 * 12. Settings / quotas of a period                   GetItem
 * 13. An owner's open activities by due time          Query gsi1 (sk BETWEEN / < due times: today, overdue)
 * 14. A record's activities, newest first             Query gsi2
 * 15. Reminders due (schedule, all tenants)           Query gsi4 per UTC day bucket, sk <= now. The one key
 *     that does not start with the tenant: the scheduler serves every tenant, so its index cannot be
 *     tenant-partitioned; no request path reads it, and the item it finds carries its tenant in pk.
 * 16. A contact's deals / activities / source leads    Query gsi4 / gsi2 / pk T#t#CONTACTLINK#<cid>, every page
 *     (for Contact.Merged and Contact.Erased)
 * 17. A web form by id alone (public capture)       GetItem FORMREF#<formId> → tenantId, then pattern 1. The
 *     second key that does not start with the tenant: a public submission carries no token, so the
 *     tenant can only come from the form; the ref holds nothing but the tenant id, the x-form-key is
 *     checked against the tenant's form item, and ids are 80-bit-random ULIDs.
 * 18. List a tenant's forms                           Query gsi1 (pk T#t#FORMS), newest first
 * 19. Create / delete a form                          TransactWriteItems: form + form ref together
 * 20. Per-form rate limit                             UpdateItem ADD n on the minute's counter, condition n < limit
 * 21. Round-robin turn of a team                      UpdateItem ADD n :1, ReturnValues UPDATED_NEW (atomic)
 * 22. An owner's open leads (lowest-load assignment)  Query gsi2 (pk owner) Select COUNT, filter open statuses
 * 23. Leads by email fingerprint (engagement)         Query pk T#t#LEADEMAIL#<fp> (links may be stale: the
 *     caller checks the lead's current email)
 * 24. A contact's email fingerprints (engagement)     GetItem T#t#CONTACTMAIL#<contactId>; the contacts subscribers
 *     read it (consistent) and Put it conditioned on the version read, with their dedupe record
 * 25. Closed deals of a pipeline (insight training)   Query gsi1 (pk pipeline, begins_with STAGE#<won|lost stage>),
 *     newest first, at most 250 per outcome
 * 26. A deal's activities (insight features)          Query gsi2 (pk ACTIVITIES#deal#<id>), every page, ≤ 500
 */
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import type { Activity, Automations, ListActivitiesQuery, UserDirectory } from '@relay/contracts/activities'
import type { Page } from '@relay/contracts/common'
import type { Form, Lead, LeadAssignment, LeadScoring, ListLeadsQuery } from '@relay/contracts/leads'
import {
  type CurrencySettings,
  type Deal,
  type ListDealsQuery,
  PIPELINE_SOURCE,
  type Pipeline,
  type Product,
  type Quotas,
} from '@relay/contracts/pipeline'
import { documentClient, isConditionalCheckFailed, queryPage, tableName } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { newEvent, outboxPut, type TransactItem, transactWithEvents } from '@relay/core/outbox'
import { awaitsReminder } from './domain/activity.js'
import type { ContactMail } from './domain/contact-mail.js'

const SERVICE = 'pipeline'
const table = () => tableName(SERVICE, 'main')

/** An event to publish with a write: detail-type and data (the store adds envelope and outbox item). */
export interface EventSpec {
  detailType: string
  data: unknown
}

const STORAGE = new Set([
  'pk',
  'sk',
  'kind',
  'ttl',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'gsi4pk',
  'gsi4sk',
])

/** The entity of an item: storage attributes stripped. */
export function fromItem<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !STORAGE.has(k))) as T
}

type Kind = 'PIPELINE' | 'PRODUCT' | 'DEAL' | 'LEAD' | 'ACTIVITY' | 'FORM'

/** Primary key of an entity. */
export const entityKey = (tenantId: string, kind: Kind, id: string) => ({
  pk: tenantKey(tenantId, kind, id),
  sk: kind,
})

const closeKey = (tenantId: string, deal: Deal) =>
  tenantKey(tenantId, 'CLOSE', deal.closeDate ?? 'NONE', 'DEAL', deal.id)

function indexAttributes(tenantId: string, kind: Kind, entity: { id: string } & Record<string, unknown>) {
  switch (kind) {
    case 'PIPELINE':
      return { gsi1pk: tenantKey(tenantId, 'PIPELINES'), gsi1sk: tenantKey(tenantId, 'PIPELINE', entity.id) }
    case 'PRODUCT':
      return { gsi1pk: tenantKey(tenantId, 'PRODUCTS'), gsi1sk: tenantKey(tenantId, 'PRODUCT', entity.id) }
    case 'FORM':
      return { gsi1pk: tenantKey(tenantId, 'FORMS'), gsi1sk: tenantKey(tenantId, 'FORM', entity.id) }
    case 'DEAL': {
      const deal = entity as unknown as Deal
      return {
        gsi1pk: tenantKey(tenantId, 'DEALS', 'PIPELINE', deal.pipelineId),
        gsi1sk: tenantKey(tenantId, 'STAGE', deal.stageId, 'DEAL', deal.id),
        gsi2pk: tenantKey(tenantId, 'DEALS', 'OWNER', deal.ownerId),
        gsi2sk: closeKey(tenantId, deal),
        gsi3pk: tenantKey(tenantId, 'DEALS'),
        gsi3sk: closeKey(tenantId, deal),
        ...(deal.contactId
          ? {
              gsi4pk: tenantKey(tenantId, 'DEALS', 'CONTACT', deal.contactId),
              gsi4sk: tenantKey(tenantId, 'DEAL', deal.id),
            }
          : {}),
      }
    }
    case 'ACTIVITY': {
      const a = entity as unknown as Activity
      return {
        gsi1pk: tenantKey(tenantId, 'ACTIVITIES', 'OWNER', a.ownerId, a.status),
        gsi1sk: tenantKey(tenantId, 'DUE', a.dueAt ?? 'NONE', 'ACT', a.id),
        gsi2pk: tenantKey(tenantId, 'ACTIVITIES', a.relatedTo.type, a.relatedTo.id),
        gsi2sk: tenantKey(tenantId, 'ACT', a.id),
        ...(awaitsReminder(a)
          ? {
              gsi4pk: `REMINDERS#${a.reminderAt!.slice(0, 10)}`,
              gsi4sk: `${a.reminderAt}#${tenantKey(tenantId, 'ACT', a.id)}`,
            }
          : {}),
      }
    }
    case 'LEAD': {
      const lead = entity as unknown as Lead
      const sk = tenantKey(tenantId, 'LEAD', lead.id)
      return {
        gsi1pk: tenantKey(tenantId, 'LEADS', 'STATUS', lead.status),
        gsi1sk: sk,
        gsi2pk: tenantKey(tenantId, 'LEADS', 'OWNER', lead.ownerId),
        gsi2sk: sk,
        gsi3pk: tenantKey(tenantId, 'LEADS'),
        gsi3sk: sk,
        gsi4pk: tenantKey(tenantId, 'LEADS', 'SOURCE', lead.source),
        gsi4sk: sk,
      }
    }
  }
}

function toItem(tenantId: string, kind: Kind, entity: { id: string }): Record<string, unknown> {
  const e = entity as { id: string } & Record<string, unknown>
  return {
    ...entityKey(tenantId, kind, e.id),
    ...indexAttributes(tenantId, kind, e),
    kind: kind.toLowerCase(),
    ...e,
  }
}

/** The stored item of a deal (key, index attributes, entity): for seeding tools such as the benchmark. */
export const dealItem = (tenantId: string, deal: Deal) => toItem(tenantId, 'DEAL', deal)

/** Optimistic concurrency: the write lands only on the version read (0 = must not exist yet). */
const atVersion = (expected: number) =>
  expected === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expected },
      }

const events = (tenantId: string, correlationId: string, specs: readonly EventSpec[]) =>
  specs.map((e) =>
    newEvent({ source: PIPELINE_SOURCE, detailType: e.detailType, tenantId, data: e.data, correlationId }),
  )

// ------------------------------------------------------------------------------------------------
// Pattern 1: get by id

/** Access pattern 1. Undefined when absent (or another tenant's). */
export async function getEntity<T>(tenantId: string, kind: Kind, id: string): Promise<T | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: entityKey(tenantId, kind, id), ConsistentRead: true }),
  )
  return out.Item ? fromItem<T>(out.Item) : undefined
}

export const getPipeline = (t: string, id: string) => getEntity<Pipeline>(t, 'PIPELINE', id)
export const getProduct = (t: string, id: string) => getEntity<Product>(t, 'PRODUCT', id)
export const getDeal = (t: string, id: string) => getEntity<Deal>(t, 'DEAL', id)
export const getLead = (t: string, id: string) => getEntity<Lead>(t, 'LEAD', id)
export const getActivity = (t: string, id: string) => getEntity<Activity>(t, 'ACTIVITY', id)
export const getForm = (t: string, id: string) => getEntity<Form>(t, 'FORM', id)

type PageQuery = { limit?: number | undefined; cursor?: string | undefined }

async function page<T>(tenantId: string, input: QueryCommandInput, q: PageQuery): Promise<Page<T>> {
  const result = await queryPage(input, {
    tenantId,
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
    ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
  })
  return {
    items: result.items.map((i) => fromItem<T>(i)),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  }
}

// ------------------------------------------------------------------------------------------------
// Pattern 2: list pipelines / products

/** Access pattern 2. */
export function listCollection<T>(
  tenantId: string,
  kind: 'PIPELINE' | 'PRODUCT' | 'FORM',
  q: PageQuery,
): Promise<Page<T>> {
  return page<T>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, `${kind}S`) },
      ScanIndexForward: false,
    },
    q,
  )
}

// ------------------------------------------------------------------------------------------------
// Pattern 3: products by ids

/** Access pattern 3: the tenant's products with these ids (missing ones are simply absent). */
export async function getProducts(tenantId: string, ids: readonly string[]): Promise<Map<string, Product>> {
  const found = new Map<string, Product>()
  let keys: Record<string, unknown>[] = [...new Set(ids)].map((id) => entityKey(tenantId, 'PRODUCT', id))
  for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
    const out = await documentClient().send(
      new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys, ConsistentRead: true } } }),
    )
    for (const item of out.Responses?.[table()] ?? []) {
      const p = fromItem<Product>(item)
      found.set(p.id, p)
    }
    keys = (out.UnprocessedKeys?.[table()]?.Keys ?? []) as Record<string, unknown>[]
    if (keys.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt))
  }
  if (keys.length) throw new Error('BatchGetItem left keys unprocessed after retries')
  return found
}

// ------------------------------------------------------------------------------------------------
// Pattern 4: plain conditional puts (configuration: no events)

/** Access pattern 4: a pipeline or product, at `expectedVersion` (0 = new). */
export async function putEntity(
  tenantId: string,
  kind: 'PIPELINE' | 'PRODUCT',
  entity: Pipeline | Product,
  expectedVersion: number,
): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: toItem(tenantId, kind, entity),
      ...atVersion(expectedVersion),
    }),
  )
}

type SettingName = 'CURRENCIES' | 'LEAD_SCORING' | 'LEAD_ASSIGNMENT' | 'AUTOMATIONS' | 'USERS'
const settingKey = (tenantId: string, name: SettingName) => ({
  pk: tenantKey(tenantId, 'SETTINGS'),
  sk: name,
})
const quotasKey = (tenantId: string, period: string) => ({
  pk: tenantKey(tenantId, 'QUOTAS', period),
  sk: 'QUOTAS',
})

async function getDoc<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }),
  )
  return out.Item ? fromItem<T>(out.Item) : undefined
}

async function putDoc(key: { pk: string; sk: string }, doc: { version: number }, expectedVersion: number) {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: { ...key, kind: key.sk.toLowerCase(), ...doc },
      ...atVersion(expectedVersion),
    }),
  )
}

/** Access pattern 12. */
export const getCurrencySettings = (t: string) => getDoc<CurrencySettings>(settingKey(t, 'CURRENCIES'))
export const getLeadScoring = (t: string) => getDoc<LeadScoring>(settingKey(t, 'LEAD_SCORING'))
export const getQuotas = (t: string, period: string) => getDoc<Quotas>(quotasKey(t, period))
export const getLeadAssignment = (t: string) => getDoc<LeadAssignment>(settingKey(t, 'LEAD_ASSIGNMENT'))
export const putLeadAssignment = (t: string, doc: LeadAssignment, expected: number) =>
  putDoc(settingKey(t, 'LEAD_ASSIGNMENT'), doc, expected)
export const getAutomations = (t: string) => getDoc<Automations>(settingKey(t, 'AUTOMATIONS'))
export const putAutomations = (t: string, doc: Automations, expected: number) =>
  putDoc(settingKey(t, 'AUTOMATIONS'), doc, expected)
export const getUserDirectory = (t: string) => getDoc<UserDirectory>(settingKey(t, 'USERS'))
export const putUserDirectory = (t: string, doc: UserDirectory, expected: number) =>
  putDoc(settingKey(t, 'USERS'), doc, expected)

/** Access pattern 4. */
export const putCurrencySettings = (t: string, doc: CurrencySettings, expected: number) =>
  putDoc(settingKey(t, 'CURRENCIES'), doc, expected)
export const putLeadScoring = (t: string, doc: LeadScoring, expected: number) =>
  putDoc(settingKey(t, 'LEAD_SCORING'), doc, expected)
export const putQuotas = (t: string, doc: Quotas, expected: number) =>
  putDoc(quotasKey(t, doc.period), doc, expected)

// ------------------------------------------------------------------------------------------------
// Patterns 5-8: deals

const closeBounds = (tenantId: string, from?: string, to?: string) => ({
  ':from': tenantKey(tenantId, 'CLOSE', from ?? '0000-00-00'),
  // '~' sorts after every character a key holds here, so the whole last day is included.
  ':to': tenantKey(tenantId, 'CLOSE', `${to ?? '9999-12-31'}~`),
})

/** Query input for deal listings: picks the index, the rest become a FilterExpression. */
export function dealQuery(tenantId: string, q: Omit<ListDealsQuery, 'limit' | 'cursor'>): QueryCommandInput {
  const names: Record<string, string> = {}
  const values: Record<string, unknown> = {}
  const filters: string[] = []
  const hasRange = q.closeFrom !== undefined || q.closeTo !== undefined
  let input: QueryCommandInput
  if (q.pipelineId) {
    values[':pk'] = tenantKey(tenantId, 'DEALS', 'PIPELINE', q.pipelineId)
    let condition = 'gsi1pk = :pk'
    if (q.stage) {
      values[':stage'] = tenantKey(tenantId, 'STAGE', q.stage, 'DEAL', '')
      condition += ' AND begins_with(gsi1sk, :stage)'
    }
    input = { TableName: table(), IndexName: 'gsi1', KeyConditionExpression: condition }
    if (q.owner) {
      names['#owner'] = 'ownerId'
      values[':owner'] = q.owner
      filters.push('#owner = :owner')
    }
    if (hasRange) {
      names['#close'] = 'closeDate'
      values[':closeFrom'] = q.closeFrom ?? '0000-00-00'
      values[':closeTo'] = q.closeTo ?? '9999-12-31'
      filters.push('#close BETWEEN :closeFrom AND :closeTo')
    }
  } else {
    const index = q.owner ? 'gsi2' : 'gsi3'
    values[':pk'] = q.owner ? tenantKey(tenantId, 'DEALS', 'OWNER', q.owner) : tenantKey(tenantId, 'DEALS')
    let condition = `${index}pk = :pk`
    if (hasRange) {
      Object.assign(values, closeBounds(tenantId, q.closeFrom, q.closeTo))
      condition += ` AND ${index}sk BETWEEN :from AND :to`
    }
    input = { TableName: table(), IndexName: index, KeyConditionExpression: condition }
  }
  if (q.status) {
    names['#status'] = 'status'
    values[':status'] = q.status
    filters.push('#status = :status')
  }
  return {
    ...input,
    ExpressionAttributeValues: values,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
  }
}

/** Access pattern 5 (Limit 1): whether any deal is in this stage of this pipeline. */
export async function hasDealsInStage(
  tenantId: string,
  pipelineId: string,
  stageId: string,
): Promise<boolean> {
  const out = await documentClient().send(
    new QueryCommand({ ...dealQuery(tenantId, { pipelineId, stage: stageId }), Limit: 1, Select: 'COUNT' }),
  )
  return (out.Count ?? 0) > 0
}

/** Access patterns 5-7. */
export function listDeals(tenantId: string, q: ListDealsQuery): Promise<Page<Deal>> {
  const { limit, cursor, ...filters } = q
  return page<Deal>(tenantId, dealQuery(tenantId, filters), { limit, cursor })
}

/** Most deals one forecast reads; beyond it the answer says `truncated`. */
export const FORECAST_MAX_DEALS = 5000

/** Access pattern 8: every deal closing between `from` and `to` (of `owner`), all pages. */
export async function dealsClosingBetween(
  tenantId: string,
  range: { from: string; to: string; owner?: string | undefined },
): Promise<{ deals: Deal[]; truncated: boolean }> {
  const input = dealQuery(tenantId, { closeFrom: range.from, closeTo: range.to, owner: range.owner })
  const deals: Deal[] = []
  let start: Record<string, unknown> | undefined
  do {
    const out = await documentClient().send(
      new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    )
    for (const item of out.Items ?? []) deals.push(fromItem<Deal>(item))
    start = out.LastEvaluatedKey
  } while (start && deals.length < FORECAST_MAX_DEALS)
  return {
    deals: deals.slice(0, FORECAST_MAX_DEALS),
    truncated: Boolean(start) || deals.length > FORECAST_MAX_DEALS,
  }
}

// ------------------------------------------------------------------------------------------------
// Pattern 9: leads

/** Access pattern 9: the most selective index for the filters; the others filter. */
export function leadQuery(tenantId: string, q: Omit<ListLeadsQuery, 'limit' | 'cursor'>): QueryCommandInput {
  const names: Record<string, string> = {}
  const values: Record<string, unknown> = {}
  const filters: string[] = []
  let index = 'gsi3'
  values[':pk'] = tenantKey(tenantId, 'LEADS')
  if (q.status) {
    index = 'gsi1'
    values[':pk'] = tenantKey(tenantId, 'LEADS', 'STATUS', q.status)
  } else if (q.owner) {
    index = 'gsi2'
    values[':pk'] = tenantKey(tenantId, 'LEADS', 'OWNER', q.owner)
  } else if (q.source) {
    index = 'gsi4'
    values[':pk'] = tenantKey(tenantId, 'LEADS', 'SOURCE', q.source)
  }
  if (q.owner && index !== 'gsi2') {
    names['#owner'] = 'ownerId'
    values[':owner'] = q.owner
    filters.push('#owner = :owner')
  }
  if (q.source && index !== 'gsi4') {
    names['#source'] = 'source'
    values[':source'] = q.source
    filters.push('#source = :source')
  }
  return {
    TableName: table(),
    IndexName: index,
    KeyConditionExpression: `${index}pk = :pk`,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
  }
}

/** Access pattern 9. */
export function listLeads(tenantId: string, q: ListLeadsQuery): Promise<Page<Lead>> {
  const { limit, cursor, ...filters } = q
  return page<Lead>(tenantId, leadQuery(tenantId, filters), { limit, cursor })
}

// ------------------------------------------------------------------------------------------------
// Patterns 10-11: writes with events

/** Access pattern 10: puts a deal or lead at `expectedVersion` (0 = new) with its events, in one transaction. */
export async function writeEntity(
  tenantId: string,
  kind: 'DEAL' | 'LEAD' | 'ACTIVITY',
  entity: Deal | Lead | Activity,
  expectedVersion: number,
  specs: readonly EventSpec[],
  correlationId: string,
  also: readonly TransactItem[] = [],
): Promise<void> {
  const name = table()
  await transactWithEvents(
    name,
    [
      { Put: { TableName: name, Item: toItem(tenantId, kind, entity), ...atVersion(expectedVersion) } },
      ...also,
    ],
    events(tenantId, correlationId, specs),
  )
}

/** Access pattern 10: a new activity as a transaction item (automation follow-ups ride on a deal's write). */
export function newActivityPut(tenantId: string, activity: Activity): TransactItem {
  return { Put: { TableName: table(), Item: toItem(tenantId, 'ACTIVITY', activity), ...atVersion(0) } }
}

/** Access pattern 10 for subscribers: a lead at `expectedVersion` and its events, as transaction items. */
export function leadWriteItems(
  tenantId: string,
  lead: Lead,
  expectedVersion: number,
  specs: readonly EventSpec[],
  correlationId: string,
): TransactItem[] {
  const name = table()
  return [
    { Put: { TableName: name, Item: toItem(tenantId, 'LEAD', lead), ...atVersion(expectedVersion) } },
    ...events(tenantId, correlationId, specs).map((e) => outboxPut(name, e)),
  ]
}

/** Access pattern 10: deletes a deal or lead still at `expectedVersion`, with its event. */
export async function deleteEntity(
  tenantId: string,
  kind: 'DEAL' | 'LEAD' | 'ACTIVITY',
  id: string,
  expectedVersion: number,
  specs: readonly EventSpec[],
  correlationId: string,
): Promise<void> {
  const name = table()
  await transactWithEvents(
    name,
    [{ Delete: { TableName: name, Key: entityKey(tenantId, kind, id), ...atVersion(expectedVersion) } }],
    events(tenantId, correlationId, specs),
  )
}

/** Access pattern 11: the converted lead (at the version read), the new deal if any, and their events. */
export async function writeConversion(
  tenantId: string,
  lead: Lead,
  expectedVersion: number,
  deal: Deal | undefined,
  specs: readonly EventSpec[],
  correlationId: string,
): Promise<void> {
  const name = table()
  const items: TransactItem[] = [
    { Put: { TableName: name, Item: toItem(tenantId, 'LEAD', lead), ...atVersion(expectedVersion) } },
  ]
  if (deal) items.push({ Put: { TableName: name, Item: toItem(tenantId, 'DEAL', deal), ...atVersion(0) } })
  if (lead.conversion)
    items.push({
      Put: {
        TableName: name,
        Item: {
          ...contactLinkKey(tenantId, lead.conversion.contactId, lead.id),
          kind: 'contactlink',
          leadId: lead.id,
        },
      },
    })
  await transactWithEvents(name, items, events(tenantId, correlationId, specs))
}

// ------------------------------------------------------------------------------------------------
// Patterns 13-15: activities

/** Access patterns 13 and 14. `now` bounds the today/overdue views. */
export function listActivities(
  tenantId: string,
  q: ListActivitiesQuery & { owner: string },
  bounds: { start: string; end: string; now: string },
): Promise<Page<Activity>> {
  const { limit, cursor } = q
  if (q.relatedType && q.relatedId) {
    return page<Activity>(
      tenantId,
      {
        TableName: table(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'ACTIVITIES', q.relatedType, q.relatedId) },
        ScanIndexForward: false,
      },
      { limit, cursor },
    )
  }
  const values: Record<string, unknown> = {
    ':pk': tenantKey(tenantId, 'ACTIVITIES', 'OWNER', q.owner, 'open'),
  }
  let condition = 'gsi1pk = :pk'
  if (q.view === 'today') {
    values[':from'] = tenantKey(tenantId, 'DUE', bounds.start)
    values[':to'] = tenantKey(tenantId, 'DUE', bounds.end)
    condition += ' AND gsi1sk BETWEEN :from AND :to'
  } else if (q.view === 'overdue') {
    values[':now'] = tenantKey(tenantId, 'DUE', bounds.now)
    condition += ' AND gsi1sk < :now'
  }
  return page<Activity>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: condition,
      ExpressionAttributeValues: values,
    },
    { limit, cursor },
  )
}

/** An activity found by the reminder schedule, with its tenant. */
export interface DueReminder {
  tenantId: string
  activity: Activity
}

/** Access pattern 15: reminders due at `now` in the given UTC day buckets, oldest first, at most `max`. */
export async function dueReminders(
  days: readonly string[],
  now: string,
  max: number,
): Promise<DueReminder[]> {
  const out: DueReminder[] = []
  for (const day of days) {
    let start: Record<string, unknown> | undefined
    do {
      const res = await documentClient().send(
        new QueryCommand({
          TableName: table(),
          IndexName: 'gsi4',
          KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk <= :now',
          ExpressionAttributeValues: { ':pk': `REMINDERS#${day}`, ':now': `${now}#~` },
          Limit: max,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )
      for (const item of res.Items ?? []) {
        const tenantId = String(item.pk).split('#')[1] ?? ''
        out.push({ tenantId, activity: fromItem<Activity>(item) })
      }
      start = res.LastEvaluatedKey
    } while (start && out.length < max)
    if (out.length >= max) break
  }
  return out.slice(0, max)
}

// ------------------------------------------------------------------------------------------------
// Pattern 16: what the pipeline holds of a contact

const contactLinkKey = (tenantId: string, contactId: string, leadId: string) => ({
  pk: tenantKey(tenantId, 'CONTACTLINK', contactId),
  sk: `LEAD#${leadId}`,
})

async function queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = []
  let start: Record<string, unknown> | undefined
  do {
    const out = await documentClient().send(
      new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    )
    items.push(...(out.Items ?? []))
    start = out.LastEvaluatedKey
  } while (start)
  return items
}

/** Access pattern 16: the deals linked to a contact. */
export async function dealsOfContact(tenantId: string, contactId: string): Promise<Deal[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: 'gsi4',
    KeyConditionExpression: 'gsi4pk = :pk',
    ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'DEALS', 'CONTACT', contactId) },
  })
  return items.map((i) => fromItem<Deal>(i))
}

/** Access pattern 16: the activities related to a contact. */
export async function activitiesOfContact(tenantId: string, contactId: string): Promise<Activity[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'ACTIVITIES', 'contact', contactId) },
  })
  return items.map((i) => fromItem<Activity>(i))
}

/** Access pattern 16: ids of the leads converted into a contact. */
export async function leadIdsOfContact(tenantId: string, contactId: string): Promise<string[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'CONTACTLINK', contactId) },
  })
  return items.map((i) => String(i.leadId))
}

/** Moves the link of a converted lead to the contact that absorbed its contact. */
export async function moveContactLink(
  tenantId: string,
  fromContactId: string,
  toContactId: string,
  leadId: string,
) {
  const name = table()
  await transactWithEvents(
    name,
    [
      { Delete: { TableName: name, Key: contactLinkKey(tenantId, fromContactId, leadId) } },
      {
        Put: {
          TableName: name,
          Item: { ...contactLinkKey(tenantId, toContactId, leadId), kind: 'contactlink', leadId },
        },
      },
    ],
    [],
  )
}

/** Forgets which lead became an erased contact. */
export async function deleteContactLinks(tenantId: string, contactId: string, leadIds: readonly string[]) {
  const name = table()
  for (const leadId of leadIds)
    await transactWithEvents(
      name,
      [{ Delete: { TableName: name, Key: contactLinkKey(tenantId, contactId, leadId) } }],
      [],
    )
}

// ------------------------------------------------------------------------------------------------
// Patterns 17-20: web-to-lead forms

const formRefKey = (formId: string) => ({ pk: `FORMREF#${formId}`, sk: 'FORMREF' })

/** Access pattern 19: a new form and its public ref, together. */
export async function createForm(tenantId: string, form: Form): Promise<void> {
  const name = table()
  await documentClient().send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: name, Item: toItem(tenantId, 'FORM', form), ...atVersion(0) } },
        {
          Put: {
            TableName: name,
            Item: { ...formRefKey(form.id), kind: 'formref', tenantId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    }),
  )
}

/** Access pattern 19: deletes a form still at `expectedVersion` and its ref (submissions then 404). */
export async function deleteForm(tenantId: string, id: string, expectedVersion: number): Promise<void> {
  const name = table()
  await documentClient().send(
    new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: name, Key: entityKey(tenantId, 'FORM', id), ...atVersion(expectedVersion) } },
        { Delete: { TableName: name, Key: formRefKey(id) } },
      ],
    }),
  )
}

/** Access pattern 17: the tenant a form belongs to, found by the form id alone (public capture). */
export async function tenantOfForm(formId: string): Promise<string | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: formRefKey(formId), ConsistentRead: true }),
  )
  const tenantId = out.Item?.tenantId
  return typeof tenantId === 'string' && tenantId ? tenantId : undefined
}

/**
 * Access pattern 20: counts one submission in the form's fixed one-minute window; false when the
 * window already holds `limit` (nothing counted). The counter item expires after its window.
 */
export async function takeFormSlot(
  tenantId: string,
  formId: string,
  nowMs: number,
  limit: number,
): Promise<boolean> {
  const window = Math.floor(nowMs / 60_000)
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: tenantKey(tenantId, 'FORMRATE', formId, String(window)), sk: 'RATE' },
        UpdateExpression: 'ADD #n :one SET #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
        ExpressionAttributeNames: { '#n': 'n', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': (window + 2) * 60 + 60 },
      }),
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}

// ------------------------------------------------------------------------------------------------
// Patterns 21-22: lead assignment

/** Access pattern 21: the team's next turn number (1, 2, 3…), atomic under concurrency. */
export async function nextTurn(tenantId: string, teamId: string): Promise<number> {
  const out = await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: { pk: tenantKey(tenantId, 'RR', teamId), sk: 'RR' },
      UpdateExpression: 'ADD #n :one',
      ExpressionAttributeNames: { '#n': 'n' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  )
  return Number(out.Attributes?.n ?? 1)
}

/** Access pattern 22: how many open (new, working, qualified) leads an owner has. */
export async function openLeadCount(tenantId: string, ownerId: string): Promise<number> {
  let count = 0
  let start: Record<string, unknown> | undefined
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        FilterExpression: '#status IN (:new, :working, :qualified)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pk': tenantKey(tenantId, 'LEADS', 'OWNER', ownerId),
          ':new': 'new',
          ':working': 'working',
          ':qualified': 'qualified',
        },
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    )
    count += out.Count ?? 0
    start = out.LastEvaluatedKey
  } while (start)
  return count
}

// ------------------------------------------------------------------------------------------------
// Patterns 23-24: engagement projections

/** Access pattern 23: the link of a lead's email fingerprint to the lead (goes in the lead's transaction). */
export function leadEmailLinkPut(tenantId: string, leadId: string, fingerprint: string): TransactItem {
  return {
    Put: {
      TableName: table(),
      Item: {
        pk: tenantKey(tenantId, 'LEADEMAIL', fingerprint),
        sk: `LEAD#${leadId}`,
        kind: 'leademail',
        leadId,
      },
    },
  }
}

/** Access pattern 23: removes the link of an email fingerprint (erasure). */
export function leadEmailLinkDelete(tenantId: string, leadId: string, fingerprint: string): TransactItem {
  return {
    Delete: {
      TableName: table(),
      Key: { pk: tenantKey(tenantId, 'LEADEMAIL', fingerprint), sk: `LEAD#${leadId}` },
    },
  }
}

/** Access pattern 23: ids of leads that had this email fingerprint (at most 25). */
export async function leadIdsByEmail(tenantId: string, fingerprint: string): Promise<string[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'LEADEMAIL', fingerprint) },
      Limit: 25,
    }),
  )
  return (out.Items ?? []).map((i) => String(i.leadId))
}

const contactMailKey = (tenantId: string, contactId: string) => ({
  pk: tenantKey(tenantId, 'CONTACTMAIL', contactId),
  sk: 'CONTACTMAIL',
})

/**
 * Access pattern 24: writes a contact's email projection (in the subscriber's transaction, with its
 * dedupe record). `read` is what the caller read before deciding (optimistic concurrency: a change
 * in between fails the condition and the event is retried), or `'overwrite'` for a tombstone, which
 * replaces whatever is there.
 */
export function contactMailPut(
  tenantId: string,
  mail: ContactMail,
  read: ContactMail | undefined | 'overwrite',
): TransactItem {
  const condition =
    read === 'overwrite'
      ? {}
      : read === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : read.version === 0
          ? {
              // An item written before versions were kept (or at version 0).
              ConditionExpression:
                'attribute_exists(pk) AND (attribute_not_exists(#version) OR #version = :read)',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':read': 0 },
            }
          : {
              ConditionExpression: '#version = :read',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':read': read.version },
            }
  return {
    Put: {
      TableName: table(),
      Item: {
        ...contactMailKey(tenantId, mail.contactId),
        kind: 'contactmail',
        contactId: mail.contactId,
        fingerprints: mail.fingerprints,
        version: mail.version,
        ...(mail.gone ? { gone: mail.gone } : {}),
      },
      ...condition,
    },
  }
}

/** Access pattern 24: the projection of a contact's emails as kept (consistent: its version guards the next write). */
export async function getContactMail(tenantId: string, contactId: string): Promise<ContactMail | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: contactMailKey(tenantId, contactId), ConsistentRead: true }),
  )
  const item = out.Item
  if (!item) return undefined
  const gone = item.gone === 'erased' || item.gone === 'merged' ? item.gone : undefined
  return {
    contactId,
    fingerprints: Array.isArray(item.fingerprints) ? item.fingerprints.map(String) : [],
    version: typeof item.version === 'number' ? item.version : 0,
    ...(gone ? { gone } : {}),
  }
}

/** Access pattern 24: a contact's email fingerprints (none once it is erased or merged away). */
export async function contactFingerprints(tenantId: string, contactId: string): Promise<string[]> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: contactMailKey(tenantId, contactId) }),
  )
  const fp = out.Item?.fingerprints
  return Array.isArray(fp) ? fp.map(String) : []
}

// ------------------------------------------------------------------------------------------------
// Patterns 25-26: insight training data

/** Most closed deals per outcome one insight learns from. */
export const INSIGHT_MAX_PER_OUTCOME = 250

/** Access pattern 25: the newest closed deals of a pipeline in its won and lost stages. */
export async function closedDealsOf(
  tenantId: string,
  pipelineId: string,
  outcomeStageIds: readonly string[],
): Promise<Deal[]> {
  const out: Deal[] = []
  for (const stage of outcomeStageIds) {
    let start: Record<string, unknown> | undefined
    let got = 0
    do {
      const res = await documentClient().send(
        new QueryCommand({
          ...dealQuery(tenantId, { pipelineId, stage }),
          ScanIndexForward: false,
          Limit: INSIGHT_MAX_PER_OUTCOME - got,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )
      for (const item of res.Items ?? []) out.push(fromItem<Deal>(item))
      got += res.Items?.length ?? 0
      start = res.LastEvaluatedKey
    } while (start && got < INSIGHT_MAX_PER_OUTCOME)
  }
  return out
}

/** Access pattern 26: the activities of a deal (at most 500). */
export async function activitiesOfDeal(tenantId: string, dealId: string): Promise<Activity[]> {
  const out: Activity[] = []
  let start: Record<string, unknown> | undefined
  do {
    const res = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'ACTIVITIES', 'deal', dealId) },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    )
    for (const item of res.Items ?? []) out.push(fromItem<Activity>(item))
    start = res.LastEvaluatedKey
  } while (start && out.length < 500)
  return out
}
