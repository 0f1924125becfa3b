/**
 * SLA settings of a tenant: business hours (with the default policy), SLA policies and agreements.
 *
 * | item          | pk                      | sk                 |
 * | ------------- | ----------------------- | ------------------ |
 * | business hours| `T#t#SETTINGS`          | `SLA_HOURS`        |
 * | policy        | `T#t#SLAPOLICIES`       | `POLICY#<id>`      |
 * | agreement     | `T#t#AGREEMENTS`        | `AGREEMENT#<id>`   | gsi1: `T#t#AGREEMENTS#COMPANY#<companyId>` / `<id>` |
 *
 * Access patterns (a tenant has tens of policies and at most thousands of agreements: one
 * partition each, read consistently):
 * 1. Business hours: GetItem; replace at the version read.
 * 2. Policy: GetItem by id; list: Query the partition (pages); create: Put if absent; replace at version.
 * 3. Agreements: create: Put if absent; list: Query the partition, newest first (pages); a
 *    company's: Query gsi1 newest first (the one in force decides a new ticket's policy).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Agreement, BusinessHours, Policy } from '@relay/contracts/service-desk-sla'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { BusinessCalendar } from '../domain/business-hours.js'
import type { SlaPolicy } from '../domain/sla.js'
import { partitionPage, putAtVersion, recordOf, recordPage } from './partition.js'
import { table } from './table.js'

type Item = Record<string, unknown>
const hoursKey = (t: string) => ({ pk: tenantKey(t, 'SETTINGS'), sk: 'SLA_HOURS' })
const policyKey = (t: string, id: string) => ({ pk: tenantKey(t, 'SLAPOLICIES'), sk: `POLICY#${id}` })
const agreementKey = (t: string, id: string) => ({ pk: tenantKey(t, 'AGREEMENTS'), sk: `AGREEMENT#${id}` })
const companyAgreements = (t: string, companyId: string) => tenantKey(t, 'AGREEMENTS', 'COMPANY', companyId)
/** Agreements of one company looked at when a ticket opens (renewals pile up slowly). */
const COMPANY_AGREEMENTS_READ = 20

/** Before a tenant sets its hours: Monday to Friday, 09:00-17:00 UTC. */
export const DEFAULT_BUSINESS_HOURS: BusinessHours = {
  timeZone: 'UTC',
  hours: Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:00' }]]),
  ),
  holidays: [],
  version: 0,
}

const strip = <T>(item: Item | undefined): T | undefined => (item ? recordOf<T>(item) : undefined)

async function get(key: { pk: string; sk: string }): Promise<Item | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }),
  )
  return out.Item
}

/** Pattern 1: the tenant's business hours (the default before the first PUT). */
export async function getBusinessHours(tenantId: string): Promise<BusinessHours> {
  return strip<BusinessHours>(await get(hoursKey(tenantId))) ?? DEFAULT_BUSINESS_HOURS
}

/** Pattern 1: replaces the business hours at `expected` (0: none yet). */
export async function putBusinessHours(
  tenantId: string,
  hours: BusinessHours,
  expected: number,
): Promise<void> {
  await putAtVersion({ ...hoursKey(tenantId), kind: 'sla-hours', ...hours }, expected)
}

/** The calendar the clock counts in, from the stored hours. */
export function calendarOf(hours: BusinessHours): BusinessCalendar {
  return { timeZone: hours.timeZone, hours: hours.hours, holidays: hours.holidays }
}

/** Pattern 2. */
export async function getPolicy(tenantId: string, id: string): Promise<Policy | undefined> {
  return strip<Policy>(await get(policyKey(tenantId, id)))
}

/** Pattern 2: creates (expected 0) or replaces a policy. */
export async function savePolicy(tenantId: string, policy: Policy, expected: number): Promise<void> {
  await putAtVersion({ ...policyKey(tenantId, policy.id), kind: 'sla-policy', ...policy }, expected)
}

/** Pattern 2: one page of the tenant's policies, by id (oldest first). */
export function listPolicies(
  tenantId: string,
  q: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<Policy>> {
  return partitionPage<Policy>(tenantId, tenantKey(tenantId, 'SLAPOLICIES'), q)
}

/** Pattern 3: a new agreement. */
export async function insertAgreement(tenantId: string, agreement: Agreement): Promise<void> {
  await putAtVersion(
    {
      ...agreementKey(tenantId, agreement.id),
      kind: 'sla-agreement',
      gsi1pk: companyAgreements(tenantId, agreement.companyId),
      gsi1sk: agreement.id,
      ...agreement,
    },
    0,
  )
}

/** Pattern 3: one page of the tenant's agreements (or one company's), newest first. */
export function listAgreements(
  tenantId: string,
  q: { limit?: number | undefined; cursor?: string | undefined; companyId?: string | undefined },
): Promise<Page<Agreement>> {
  if (!q.companyId) return partitionPage<Agreement>(tenantId, tenantKey(tenantId, 'AGREEMENTS'), q, true)
  return recordPage<Agreement>(
    tenantId,
    {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': companyAgreements(tenantId, q.companyId) },
      ScanIndexForward: false,
    },
    q,
  )
}

/** A stored policy as the clock reads it. */
export function asSlaPolicy(p: Policy): SlaPolicy {
  return {
    id: p.id,
    name: p.name,
    hours: p.hours,
    targets: p.targets,
    warnBeforeMinutes: p.warnBeforeMinutes,
    escalations: p.escalations,
  }
}

/**
 * What a new ticket's clocks need, read side by side: the business hours and, when the ticket has
 * a company, that company's latest agreements (the policy is read next: which one depends on these).
 */
export async function slaSettings(
  tenantId: string,
  companyId: string | undefined,
): Promise<{ hours: BusinessHours; agreements: Agreement[] }> {
  const [hours, agreements] = await Promise.all([
    getBusinessHours(tenantId),
    companyId
      ? listAgreements(tenantId, { companyId, limit: COMPANY_AGREEMENTS_READ }).then((p) => p.items)
      : Promise.resolve([]),
  ])
  return { hours, agreements }
}
