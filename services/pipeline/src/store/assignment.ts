/**
 * Lead assignment: round-robin turns and open-lead counts (table `main`).
 *
 * | item        | pk              | sk | |
 * | round robin | T#t#RR#<teamId> | RR | counter `n` of the team's assignments |
 *
 * Access patterns:
 *  1. Round-robin turn of a team                    UpdateItem ADD n :1, ReturnValues UPDATED_NEW (atomic)
 *  2. An owner's open leads (lowest-load)           Query the leads' gsi2 (pk T#t#LEADS#OWNER#<o>) Select COUNT,
 *                                                   filter open statuses, every page
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { Lead, LeadAssignedV1 } from '@relay/contracts/leads'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { lowestLoadMember, pickTeam, roundRobinMember } from '../domain/assignment.js'
import { getLeadAssignment } from './settings.js'
import { table } from './table.js'

/** Access pattern 1: the team's next turn number (1, 2, 3…), atomic under concurrency. */
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

/** Access pattern 2: how many open (new, working, qualified) leads an owner has. */
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

/**
 * The owner the tenant's assignment rules give a new lead (with `leadId` set), or undefined when
 * no rule (and no default team) takes it. Round-robin draws its turn from an atomic counter, so
 * concurrent creates stay fair; lowest-load counts each member's open leads (one Query per member).
 */
export async function assignOwner(
  tenantId: string,
  lead: Pick<Lead, 'id'> & Partial<Lead>,
): Promise<LeadAssignedV1 | undefined> {
  const settings = await getLeadAssignment(tenantId)
  if (!settings) return undefined
  const picked = pickTeam(lead, settings)
  if (!picked) return undefined
  const { team, ruleIndex } = picked
  let ownerId: string
  if (team.strategy === 'round_robin') {
    ownerId = roundRobinMember(team.members, await nextTurn(tenantId, team.id))
  } else {
    const counts = await Promise.all(team.members.map((m) => openLeadCount(tenantId, m)))
    ownerId = lowestLoadMember(team.members, new Map(team.members.map((m, i) => [m, counts[i] ?? 0])))
  }
  return {
    leadId: lead.id,
    ownerId,
    teamId: team.id,
    strategy: team.strategy,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
  }
}
