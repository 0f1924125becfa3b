/**
 * Pipelines of stages (table `main`). Configuration: no events.
 *
 * | item     | pk                | sk       | indexes |
 * | pipeline | T#t#PIPELINE#<id> | PIPELINE | gsi1: T#t#PIPELINES / T#t#PIPELINE#<id> |
 *
 * Access patterns:
 *  1. A pipeline by id                  GetItem (consistent: its version feeds If-Match); the built-in
 *                                       default until the tenant stores its own under the default id
 *  2. List pipelines, newest first      Query gsi1 (pk T#t#PIPELINES), descending
 *  3. Create / replace                  PutItem, attribute_not_exists(pk) or version = the version read
 */
import type { Page } from '@relay/contracts/common'
import type { Pipeline } from '@relay/contracts/pipeline'
import { tenantKey } from '@relay/core/keys'
import { DEFAULT_PIPELINE, DEFAULT_PIPELINE_ID } from '../domain/pipeline.js'
import { atVersion, commit, getItem, type PageQuery, page, table } from './table.js'

const pipelineKey = (tenantId: string, id: string) => ({
  pk: tenantKey(tenantId, 'PIPELINE', id),
  sk: 'PIPELINE',
})

/** Access pattern 1: a stored pipeline (undefined when absent or another tenant's). */
export const getPipeline = (tenantId: string, id: string) => getItem<Pipeline>(pipelineKey(tenantId, id))

/** Access pattern 1: a pipeline of the tenant; the built-in default one until the tenant stores its own. */
export async function resolvePipeline(
  tenantId: string,
  id: string | undefined,
): Promise<Pipeline | undefined> {
  const pipelineId = id ?? DEFAULT_PIPELINE_ID
  const stored = await getPipeline(tenantId, pipelineId)
  if (stored) return stored
  return pipelineId === DEFAULT_PIPELINE_ID ? DEFAULT_PIPELINE : undefined
}

/** Access pattern 2. */
export function listPipelines(tenantId: string, q: PageQuery): Promise<Page<Pipeline>> {
  return page<Pipeline>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'PIPELINES') },
      ScanIndexForward: false,
    },
    q,
  )
}

/**
 * Access pattern 3: a pipeline at `expectedVersion` (0 = new). A transaction, so that the
 * idempotency claim of the POST that creates it commits with it (core adds the claim's item).
 */
export async function putPipeline(
  tenantId: string,
  pipeline: Pipeline,
  expectedVersion: number,
): Promise<void> {
  const Item = {
    ...pipelineKey(tenantId, pipeline.id),
    gsi1pk: tenantKey(tenantId, 'PIPELINES'),
    gsi1sk: tenantKey(tenantId, 'PIPELINE', pipeline.id),
    kind: 'pipeline',
    ...pipeline,
  }
  await commit(tenantId, '', [{ Put: { TableName: table(), Item, ...atVersion(expectedVersion) } }])
}
