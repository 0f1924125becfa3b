/**
 * Agents and their load (open tickets held).
 *
 * | item  | pk            | sk             |
 * | ----- | ------------- | -------------- |
 * | agent | `T#t#AGENTS`  | `AGENT#<id>`   |
 *
 * Access patterns (a tenant has at most a few hundred agents: one partition, read consistently,
 * so the assignment sees the loads as they are):
 * 1. Agent by id: GetItem. List: Query the partition (pages); every agent: all pages (≤ 1000).
 * 2. Create: Put if absent. Update: Put at the version read; `load` and `lastAssignedAt` are kept
 *    from the stored item (only assignments move them). Either in one transaction with the work
 *    message it may ask for (an agent with room picks up waiting tickets).
 * 3. Claim (assignment): Update `load + 1`, conditioned on the load read and on capacity, so
 *    concurrent claims never take an agent over capacity. Release: `load - 1` while above 0.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Agent } from '@relay/contracts/service-desk-sla'
import { documentClient, isConditionalCheckFailed } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { type TransactItem, transactWithEvents } from '@relay/core/outbox'
import { StaleVersion } from '@relay/core/outcomes'
import { loadChange } from '../domain/assignment.js'
import { partitionPage, recordOf } from './partition.js'
import { table } from './table.js'

const agentKey = (t: string, id: string) => ({ pk: tenantKey(t, 'AGENTS'), sk: `AGENT#${id}` })
/** Most agents one assignment reads (a tenant with more splits them over queues). */
export const MAX_AGENTS = 1000

/** Pattern 1. */
export async function getAgent(tenantId: string, id: string): Promise<Agent | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: agentKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? recordOf<Agent>(out.Item) : undefined
}

/** Pattern 1: one page, by id. */
export function listAgents(
  tenantId: string,
  q: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<Agent>> {
  return partitionPage<Agent>(tenantId, tenantKey(tenantId, 'AGENTS'), q)
}

/** Pattern 1: every agent of the tenant (for an assignment), at most {@link MAX_AGENTS}. */
export async function allAgents(tenantId: string): Promise<Agent[]> {
  const agents: Agent[] = []
  let start: Record<string, unknown> | undefined
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'AGENTS') },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    )
    agents.push(...(out.Items ?? []).map((i) => recordOf<Agent>(i)))
    start = out.LastEvaluatedKey
  } while (start && agents.length < MAX_AGENTS)
  return agents
}

/**
 * Pattern 2: creates (expected 0) or updates an agent's profile. An update is an UpdateItem of the
 * profile fields only: `load` and `lastAssignedAt` move with claims (which leave `version` alone),
 * so a profile edit never overwrites a claim made meanwhile. `items` (a pick-up message) commit
 * with it.
 */
export async function saveAgent(
  tenantId: string,
  agent: Agent,
  expected: number,
  items: readonly TransactItem[] = [],
): Promise<void> {
  const { load: _l, lastAssignedAt: _a, ...profile } = agent
  const commit = (write: TransactItem) => transactWithEvents(table(), [write, ...items], [])
  try {
    if (expected === 0) {
      await commit({
        Put: {
          TableName: table(),
          Item: { ...agentKey(tenantId, agent.id), kind: 'agent', ...profile, load: 0 },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })
      return
    }
    const names: Record<string, string> = { '#v': 'version' }
    const values: Record<string, unknown> = { ':expected': expected }
    const sets: string[] = []
    for (const [k, v] of Object.entries(profile)) {
      if (k === 'id' || k === 'createdAt' || v === undefined) continue
      names[`#${k}`] = k
      values[`:${k}`] = v
      sets.push(`#${k} = :${k}`)
    }
    await commit({
      Update: {
        TableName: table(),
        Key: agentKey(tenantId, agent.id),
        UpdateExpression: `SET ${sets.join(', ')}${profile.email === undefined ? ' REMOVE email' : ''}`,
        ConditionExpression: '#v = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    })
  } catch (err) {
    if (isConditionalCheckFailed(err))
      throw new StaleVersion('The agent changed meanwhile; read it again and retry.')
    throw err
  }
}

/**
 * Pattern 3: the claim of one ticket by an agent. `seenLoad` (the load the choice was made on)
 * keeps the least-loaded choice true at commit; capacity is checked by DynamoDB, not by the reader.
 * Without `seenLoad` (a manager's manual assignment) only the capacity is checked.
 */
export function claimAgentItem(
  tenantId: string,
  agentId: string,
  now: string,
  seenLoad?: number,
): TransactItem {
  return {
    Update: {
      TableName: table(),
      Key: agentKey(tenantId, agentId),
      UpdateExpression: 'SET #load = #load + :one, lastAssignedAt = :now',
      ConditionExpression:
        seenLoad === undefined
          ? 'attribute_exists(pk) AND #load < #capacity'
          : 'attribute_exists(pk) AND #load = :seen AND #load < #capacity',
      ExpressionAttributeNames: { '#load': 'load', '#capacity': 'capacity' },
      ExpressionAttributeValues: {
        ':one': 1,
        ':now': now,
        ...(seenLoad === undefined ? {} : { ':seen': seenLoad }),
      },
    },
  }
}

/** Pattern 3: an agent lets go of one ticket (solved, closed, reassigned). */
export function releaseAgentItem(tenantId: string, agentId: string): TransactItem {
  return {
    Update: {
      TableName: table(),
      Key: agentKey(tenantId, agentId),
      UpdateExpression: 'SET #load = #load - :one',
      ConditionExpression: 'attribute_exists(pk) AND #load > :zero',
      ExpressionAttributeNames: { '#load': 'load' },
      ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
    },
  }
}

/**
 * The load writes of a ticket change (for the ticket store's transaction): the agent who held it
 * lets go, the agent who holds it now claims it (capacity checked). See domain/assignment.ts
 * `loadChange` for when a ticket counts.
 */
export function agentLoadItems(
  tenantId: string,
  before: { assigneeId?: string | undefined; status: string } | undefined,
  after: { assigneeId?: string | undefined; status: string },
  now: string,
  seenLoad?: number,
): TransactItem[] {
  const change = loadChange(before, after)
  return [
    ...(change.release ? [releaseAgentItem(tenantId, change.release)] : []),
    ...(change.claim ? [claimAgentItem(tenantId, change.claim, now, seenLoad)] : []),
  ]
}
