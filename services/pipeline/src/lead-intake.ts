/** Creating a lead, for POST /leads and for web-form submissions alike: scored, assigned, announced. */
import { type CreateLead, LEAD_EVENT, type Lead, type LeadAssignedV1 } from '@relay/contracts/leads'
import { newId, nowIso } from '@relay/core/ids'
import { lowestLoadMember, pickTeam, roundRobinMember } from './domain/assignment.js'
import { emailFingerprint } from './domain/engagement.js'
import { buildLead } from './domain/lead.js'
import {
  type EventSpec,
  getLeadAssignment,
  leadEmailLinkPut,
  nextTurn,
  openLeadCount,
  writeEntity,
} from './store.js'
import { leadScoring } from './support.js'

/**
 * The owner the tenant's assignment rules give a new lead, or undefined when no rule (and no
 * default team) takes it. Round-robin draws its turn from an atomic counter, so concurrent creates
 * stay fair; lowest-load counts each member's open leads (one Query per member).
 */
export async function assignOwner(
  tenantId: string,
  lead: Partial<Lead>,
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
    leadId: lead.id ?? '',
    ownerId,
    teamId: team.id,
    strategy: team.strategy,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
  }
}

/**
 * Scores, assigns (unless the input names an owner) and stores a new lead with `Lead.Created`
 * (and `Lead.Assigned`) in one transaction, with the link of its email for engagement lookups.
 */
export async function intakeLead(
  tenantId: string,
  input: CreateLead,
  ctx: { userId: string; correlationId: string; formId?: string },
): Promise<Lead> {
  const { rules } = await leadScoring(tenantId)
  let lead = buildLead(input, { id: newId(), userId: ctx.userId, now: nowIso(), rules })
  if (ctx.formId) lead = { ...lead, formId: ctx.formId }
  const specs: EventSpec[] = []
  const assigned = input.ownerId ? undefined : await assignOwner(tenantId, lead)
  if (assigned) {
    lead = { ...lead, ownerId: assigned.ownerId }
    assigned.leadId = lead.id
  }
  specs.push({ detailType: LEAD_EVENT.created, data: lead })
  if (assigned) specs.push({ detailType: LEAD_EVENT.assigned, data: assigned })
  const link = lead.email ? [leadEmailLinkPut(tenantId, lead.id, emailFingerprint(lead.email))] : []
  await writeEntity(tenantId, 'LEAD', lead, 0, specs, ctx.correlationId, link)
  return lead
}
