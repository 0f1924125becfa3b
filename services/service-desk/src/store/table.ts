/**
 * What every store module of table `main` shares: the table's name, the keys more than one
 * aggregate refers to, the version condition and the event envelopes. Each aggregate's module
 * lists its own access patterns; the README has the item table of the whole service.
 *
 * Indexes (every key starts with the tenant; every sort key of a ticket index is the ticket id, a
 * ULID, so each index lists newest first and a created range is a key condition):
 *
 * | index | partition (`T#<t>#...`)            | on                                     |
 * | ----- | ---------------------------------- | -------------------------------------- |
 * | gsi1  | `TICKETS` / `TICKETS#TAG#<tag>`     | every ticket / one tag item per tag     |
 * | gsi2  | `TICKETS#STATUS#<status>`           | the ticket                              |
 * | gsi3  | `TICKETS#ASSIGNEE#<agentId>`        | the ticket (sparse: assigned only)      |
 * | gsi4  | `TICKETS#QUEUE#<queueId>`           | the ticket (sparse: queued only)        |
 * | gsi5  | `TICKETS#CONTACT#<id>` / `TICKETS#EMAIL#<folded email>` | the ticket (its requester) |
 * | gsi7  | `TICKETS#WAITING#<queueId or ->` (sk `<priority rank>#<id>`) | the ticket (sparse: unassigned, held status) |
 */

import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb'
import { SERVICE_DESK_SOURCE } from '@relay/contracts/service-desk'
import { documentClient, tableName } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { type DomainEvent, newEvent } from '@relay/core/outbox'
import type { Emitted } from '../domain/events.js'

export const SERVICE = 'service-desk'
export const table = (): string => tableName(SERVICE, 'main')

export type Item = Record<string, unknown>
export type Key = { pk: string; sk: string }

/** Primary key of a ticket (its comments and tag items share the partition). */
export function ticketKey(tenantId: string, id: string): Key {
  return { pk: tenantKey(tenantId, 'TICKET', id), sk: 'TICKET' }
}

/**
 * Every item a Query returns, all pages (for work over one partition or index key that must see
 * all of it: a requester's tickets on merge or erasure). Never for a request's listing: those page.
 */
export async function queryAll(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Item[]> {
  const items: Item[] = []
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

/** Optimistic concurrency: the write only lands on the version the caller read. */
export const stillAtVersion = (expected: number) => ({
  ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
  ExpressionAttributeNames: { '#version': 'version' },
  ExpressionAttributeValues: { ':expected': expected },
})

/** The events the domain decided on, as this service's envelopes for the outbox. */
export function envelopes(
  tenantId: string,
  correlationId: string,
  emitted: readonly Emitted[],
): DomainEvent[] {
  return emitted.map((e) =>
    newEvent({
      source: SERVICE_DESK_SOURCE,
      detailType: e.detailType,
      tenantId,
      data: e.data,
      correlationId,
    }),
  )
}
