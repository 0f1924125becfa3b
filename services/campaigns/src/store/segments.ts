import type { CreateSegment, Segment, UpdateSegment } from '@relay/contracts/campaigns'
import type { Page } from '@relay/contracts/common'
import { isConditionalCheckFailed } from '@relay/core/ddb'
import { newId, nowIso } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import { transactWithEvents } from '@relay/core/outbox'
import { NotFound, StaleVersion } from '@relay/core/outcomes'
import { atVersion, deleteIfMatch, getItem, type PageQuery, page, table } from './table.js'

const segmentKey = (tenantId: string, id: string) => ({
  pk: tenantKey(tenantId, 'SEGMENT', id),
  sk: 'SEGMENT',
})

/** Pattern 1: NotFound when there is none (or it is another tenant's). */
export async function requireSegment(tenantId: string, id: string): Promise<Segment> {
  const segment = await getItem<Segment>(segmentKey(tenantId, id))
  if (!segment) throw new NotFound('No segment with this id.')
  return segment
}

/** Pattern 2. */
export function listSegments(tenantId: string, q: PageQuery): Promise<Page<Segment>> {
  return page<Segment>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'SEGMENTS') },
      ScanIndexForward: false,
    },
    q,
  )
}

async function put(tenantId: string, segment: Segment, expectedVersion: number): Promise<void> {
  const Item = {
    ...segmentKey(tenantId, segment.id),
    gsi1pk: tenantKey(tenantId, 'SEGMENTS'),
    gsi1sk: tenantKey(tenantId, 'SEGMENT', segment.id),
    kind: 'segment',
    ...segment,
  }
  try {
    // A transaction, so the idempotency claim of the POST commits with it (core adds the claim's item).
    await transactWithEvents(
      table(),
      [{ Put: { TableName: table(), Item, ...atVersion(expectedVersion) } }],
      [],
    )
  } catch (err) {
    if (expectedVersion > 0 && isConditionalCheckFailed(err))
      throw new StaleVersion('The segment changed meanwhile; read it again and retry.')
    throw err
  }
}

/** Pattern 3: a new segment. */
export async function insertSegment(
  tenantId: string,
  input: CreateSegment,
  createdBy: string,
): Promise<Segment> {
  const now = nowIso()
  const segment: Segment = {
    id: newId(),
    name: input.name,
    ...(input.description !== undefined ? { description: input.description } : {}),
    rule: input.rule,
    createdBy,
    version: 1,
    createdAt: now,
    updatedAt: now,
  }
  await put(tenantId, segment, 0)
  return segment
}

/** Pattern 3: changes at `expectedVersion` (the version read when absent); `description: null` drops it. */
export async function updateSegment(
  tenantId: string,
  id: string,
  changes: UpdateSegment,
  expectedVersion: number | undefined,
): Promise<Segment> {
  const current = await requireSegment(tenantId, id)
  if (expectedVersion !== undefined && expectedVersion !== current.version) throw new StaleVersion()
  const next: Segment = {
    ...current,
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.rule !== undefined ? { rule: changes.rule } : {}),
    version: current.version + 1,
    updatedAt: nowIso(),
  }
  if (changes.description === null) delete next.description
  else if (changes.description !== undefined) next.description = changes.description
  await put(tenantId, next, current.version)
  return next
}

/** Pattern 4. */
export function deleteSegment(tenantId: string, id: string, ifMatch?: number): Promise<void> {
  return deleteIfMatch(segmentKey(tenantId, id), ifMatch, 'No segment with this id.')
}
