/**
 * Leads and their email links (table `main`).
 *
 * | item       | pk                          | sk            | indexes |
 * | lead       | T#t#LEAD#<id>               | LEAD          | gsi1: T#t#LEADS#STATUS#<s>, gsi2: T#t#LEADS#OWNER#<o>, gsi3: T#t#LEADS, |
 * |            |                             |               | gsi4: T#t#LEADS#SOURCE#<src>; every sk T#t#LEAD#<id> |
 * | email link | T#t#LEADEMAIL#<fingerprint> | LEAD#<leadId> | – written with the lead (create, email change); checked on use |
 *
 * Access patterns:
 *  1. A lead by id                                  GetItem (consistent: its version feeds If-Match)
 *  2. Leads by status / owner / source / all        Query gsi1 / gsi2 / gsi4 / gsi3, newest first (+ filters)
 *  3. Create / update / delete                      TransactWriteItems: the lead (conditioned on the version
 *                                                   read) + its outbox events (+ its email link)
 *  4. Convert                                       TransactWriteItems: lead (version) + new deal + the contact
 *                                                   link + outbox Lead.Converted (+ Deal.Created)
 *  5. Leads by email fingerprint (engagement)       Query pk T#t#LEADEMAIL#<fp>, at most 25 (links may be
 *                                                   stale: the caller checks the lead's current email)
 * An owner's open-lead count (gsi2) is read by the assignment store.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { CreateLead, Lead, ListLeadsQuery } from '@relay/contracts/leads'
import type { Deal } from '@relay/contracts/pipeline'
import { documentClient } from '@relay/core/ddb'
import { newId, nowIso } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/outbox'
import { type Work, work } from '@relay/core/work'
import { emailFingerprint } from '../domain/engagement.js'
import type { EventSpec } from '../domain/events.js'
import { buildLead, leadCreatedEvents } from '../domain/lead.js'
import { assignOwner } from './assignment.js'
import { contactLinkPut } from './contacts.js'
import { dealPut } from './deals.js'
import { leadScoring } from './settings.js'
import { atVersion, commit, getItem, page, table, withEvents } from './table.js'

const leadKey = (tenantId: string, id: string) => ({ pk: tenantKey(tenantId, 'LEAD', id), sk: 'LEAD' })

function leadItem(tenantId: string, lead: Lead): Record<string, unknown> {
  const sk = tenantKey(tenantId, 'LEAD', lead.id)
  return {
    ...leadKey(tenantId, lead.id),
    gsi1pk: tenantKey(tenantId, 'LEADS', 'STATUS', lead.status),
    gsi1sk: sk,
    gsi2pk: tenantKey(tenantId, 'LEADS', 'OWNER', lead.ownerId),
    gsi2sk: sk,
    gsi3pk: tenantKey(tenantId, 'LEADS'),
    gsi3sk: sk,
    gsi4pk: tenantKey(tenantId, 'LEADS', 'SOURCE', lead.source),
    gsi4sk: sk,
    kind: 'lead',
    ...lead,
  }
}

/** Access pattern 1. Undefined when absent (or another tenant's). */
export const getLead = (tenantId: string, id: string) => getItem<Lead>(leadKey(tenantId, id))

/** Access pattern 2: the most selective index for the filters; the others filter. */
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

/** Access pattern 2. */
export function listLeads(tenantId: string, q: ListLeadsQuery): Promise<Page<Lead>> {
  const { limit, cursor, ...filters } = q
  return page<Lead>(tenantId, leadQuery(tenantId, filters), { limit, cursor })
}

const leadPut = (tenantId: string, lead: Lead, expectedVersion: number): TransactItem => ({
  Put: { TableName: table(), Item: leadItem(tenantId, lead), ...atVersion(expectedVersion) },
})

/** Access pattern 3: a lead at `expectedVersion` (0 = new) with its events (and `also`), in one transaction. */
export async function saveLead(
  tenantId: string,
  lead: Lead,
  expectedVersion: number,
  specs: readonly EventSpec[],
  correlationId: string,
  also: readonly TransactItem[] = [],
): Promise<void> {
  await commit(tenantId, correlationId, [leadPut(tenantId, lead, expectedVersion), ...also], specs)
}

/** Access pattern 3 for subscribers: a lead at `expectedVersion` and its events, as a unit of work. */
export function leadWork(
  tenantId: string,
  lead: Lead,
  expectedVersion: number,
  specs: readonly EventSpec[],
  correlationId: string,
): Work {
  return work(...withEvents(tenantId, correlationId, [leadPut(tenantId, lead, expectedVersion)], specs))
}

/** Access pattern 3: deletes a lead still at `expectedVersion`, with its events. */
export async function removeLead(
  tenantId: string,
  id: string,
  expectedVersion: number,
  specs: readonly EventSpec[],
  correlationId: string,
): Promise<void> {
  await commit(
    tenantId,
    correlationId,
    [{ Delete: { TableName: table(), Key: leadKey(tenantId, id), ...atVersion(expectedVersion) } }],
    specs,
  )
}

/**
 * Scores, assigns (unless the input names an owner) and stores a new lead with `Lead.Created`
 * (and `Lead.Assigned`) in one transaction, with the link of its email for engagement lookups.
 * For POST /leads and web-form submissions alike.
 */
export async function intakeLead(
  tenantId: string,
  input: CreateLead,
  ctx: { userId: string; correlationId: string; formId?: string },
): Promise<Lead> {
  const { rules } = await leadScoring(tenantId)
  let lead = buildLead(input, { id: newId(), userId: ctx.userId, now: nowIso(), rules })
  if (ctx.formId) lead = { ...lead, formId: ctx.formId }
  const assigned = input.ownerId ? undefined : await assignOwner(tenantId, lead)
  if (assigned) lead = { ...lead, ownerId: assigned.ownerId }
  const link = lead.email ? [leadEmailLinkPut(tenantId, lead.id, emailFingerprint(lead.email))] : []
  await saveLead(tenantId, lead, 0, leadCreatedEvents(lead, assigned), ctx.correlationId, link)
  return lead
}

/** Access pattern 4: the converted lead (at the version read), the new deal if any, and their events. */
export async function writeConversion(
  tenantId: string,
  lead: Lead,
  expectedVersion: number,
  deal: Deal | undefined,
  specs: readonly EventSpec[],
  correlationId: string,
): Promise<void> {
  const items: TransactItem[] = [leadPut(tenantId, lead, expectedVersion)]
  if (deal) items.push(dealPut(tenantId, deal, 0))
  if (lead.conversion) items.push(contactLinkPut(tenantId, lead.conversion.contactId, lead.id))
  await commit(tenantId, correlationId, items, specs)
}

const emailLinkKey = (tenantId: string, leadId: string, fingerprint: string) => ({
  pk: tenantKey(tenantId, 'LEADEMAIL', fingerprint),
  sk: `LEAD#${leadId}`,
})

/** Access pattern 5: the link of a lead's email fingerprint to the lead (goes in the lead's transaction). */
export function leadEmailLinkPut(tenantId: string, leadId: string, fingerprint: string): TransactItem {
  return {
    Put: {
      TableName: table(),
      Item: { ...emailLinkKey(tenantId, leadId, fingerprint), kind: 'leademail', leadId },
    },
  }
}

/** Access pattern 5: removes the link of an email fingerprint (erasure). */
export function leadEmailLinkDelete(tenantId: string, leadId: string, fingerprint: string): TransactItem {
  return { Delete: { TableName: table(), Key: emailLinkKey(tenantId, leadId, fingerprint) } }
}

/** Access pattern 5: ids of leads that had this email fingerprint (at most 25). */
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
