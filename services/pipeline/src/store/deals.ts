/**
 * Deals (table `main`).
 *
 * | item | pk            | sk   | indexes |
 * | deal | T#t#DEAL#<id> | DEAL | gsi1: T#t#DEALS#PIPELINE#<pid> / T#t#STAGE#<stage>#DEAL#<id> |
 * |      |               |      | gsi2: T#t#DEALS#OWNER#<owner> / T#t#CLOSE#<date|NONE>#DEAL#<id> |
 * |      |               |      | gsi3: T#t#DEALS / T#t#CLOSE#<date|NONE>#DEAL#<id> |
 * |      |               |      | gsi4 (with a contact): T#t#DEALS#CONTACT#<cid> / T#t#DEAL#<id> |
 *
 * Access patterns:
 *  1. A deal by id                                   GetItem (consistent: its version feeds If-Match)
 *  2. Deals of a pipeline [in a stage]               Query gsi1 (pk pipeline, sk begins_with stage)
 *  3. Deals of an owner [closing between]            Query gsi2 (pk owner, sk BETWEEN close dates)
 *  4. Deals [closing between]                        Query gsi3 (sk BETWEEN close dates), close date ascending
 *     (other filters of 2-4 as FilterExpression on the chosen index, so a page can hold fewer items than `limit`)
 *  5. Forecast: deals closing in a period [of owner] Query gsi3 (or gsi2), every page, at most 5 000 deals
 *  6. Create / update / delete                       TransactWriteItems: the deal (conditioned on the version
 *                                                    read) + its outbox events (+ automation follow-ups)
 *  7. Whether a stage holds deals (pipeline edits)   Query gsi1 Limit 1 Select COUNT
 *  8. Closed deals of a pipeline (insight training)  Query gsi1 (begins_with STAGE#<won|lost stage>), newest
 *                                                    first, at most 250 per outcome
 *  9. A contact's deals (Contact.Merged / Erased)    Query gsi4, every page
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Deal, ListDealsQuery } from '@relay/contracts/pipeline'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/outbox'
import type { EventSpec } from '../domain/events.js'
import { atVersion, commit, fromItem, getItem, page, queryAll, table } from './table.js'

const dealKey = (tenantId: string, id: string) => ({ pk: tenantKey(tenantId, 'DEAL', id), sk: 'DEAL' })

const closeKey = (tenantId: string, deal: Deal) =>
  tenantKey(tenantId, 'CLOSE', deal.closeDate ?? 'NONE', 'DEAL', deal.id)

/** The stored item of a deal (key, index attributes, entity): also for seeding tools such as the benchmark. */
export function dealItem(tenantId: string, deal: Deal): Record<string, unknown> {
  return {
    ...dealKey(tenantId, deal.id),
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
    kind: 'deal',
    ...deal,
  }
}

/** Access pattern 1. Undefined when absent (or another tenant's). */
export const getDeal = (tenantId: string, id: string) => getItem<Deal>(dealKey(tenantId, id))

const closeBounds = (tenantId: string, from?: string, to?: string) => ({
  ':from': tenantKey(tenantId, 'CLOSE', from ?? '0000-00-00'),
  // '~' sorts after every character a key holds here, so the whole last day is included.
  ':to': tenantKey(tenantId, 'CLOSE', `${to ?? '9999-12-31'}~`),
})

/** Query input for deal listings (patterns 2-4): picks the index, the rest become a FilterExpression. */
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

/** Access patterns 2-4. */
export function listDeals(tenantId: string, q: ListDealsQuery): Promise<Page<Deal>> {
  const { limit, cursor, ...filters } = q
  return page<Deal>(tenantId, dealQuery(tenantId, filters), { limit, cursor })
}

/** Access pattern 7: whether any deal is in this stage of this pipeline. */
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

/** Most deals one forecast reads; beyond it the answer says `truncated`. */
export const FORECAST_MAX_DEALS = 5000

/** Access pattern 5: every deal closing between `from` and `to` (of `owner`), all pages. */
export async function dealsClosingBetween(
  tenantId: string,
  range: { from: string; to: string; owner?: string | undefined },
): Promise<{ deals: Deal[]; truncated: boolean }> {
  const input = dealQuery(tenantId, { closeFrom: range.from, closeTo: range.to, owner: range.owner })
  const { items, more } = await queryAll(input, FORECAST_MAX_DEALS)
  return {
    deals: items.slice(0, FORECAST_MAX_DEALS).map((i) => fromItem<Deal>(i)),
    truncated: more || items.length > FORECAST_MAX_DEALS,
  }
}

/** Access pattern 6: the Put of a deal at `expectedVersion` (0 = new), for a transaction. */
export function dealPut(tenantId: string, deal: Deal, expectedVersion: number): TransactItem {
  return { Put: { TableName: table(), Item: dealItem(tenantId, deal), ...atVersion(expectedVersion) } }
}

/** Access pattern 6: a deal at `expectedVersion` with its events (and `also`, e.g. follow-ups), in one transaction. */
export async function saveDeal(
  tenantId: string,
  deal: Deal,
  expectedVersion: number,
  specs: readonly EventSpec[],
  correlationId: string,
  also: readonly TransactItem[] = [],
): Promise<void> {
  await commit(tenantId, correlationId, [dealPut(tenantId, deal, expectedVersion), ...also], specs)
}

/** Access pattern 6: deletes a deal still at `expectedVersion`, with its events. */
export async function removeDeal(
  tenantId: string,
  id: string,
  expectedVersion: number,
  specs: readonly EventSpec[],
  correlationId: string,
): Promise<void> {
  await commit(
    tenantId,
    correlationId,
    [{ Delete: { TableName: table(), Key: dealKey(tenantId, id), ...atVersion(expectedVersion) } }],
    specs,
  )
}

/** Most closed deals per outcome one insight learns from. */
export const INSIGHT_MAX_PER_OUTCOME = 250

/** Access pattern 8: the newest closed deals of a pipeline in its won and lost stages. */
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

/** Access pattern 9: the deals linked to a contact. */
export async function dealsOfContact(tenantId: string, contactId: string): Promise<Deal[]> {
  const { items } = await queryAll({
    TableName: table(),
    IndexName: 'gsi4',
    KeyConditionExpression: 'gsi4pk = :pk',
    ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'DEALS', 'CONTACT', contactId) },
  })
  return items.map((i) => fromItem<Deal>(i))
}
