/** Lead rules, pure: building, merge-patching, fit scoring from the tenant's rules, conversion. */
import {
  type CreateLead,
  LEAD_EVENT,
  type Lead,
  type LeadAssignedV1,
  type LeadConvertedV1,
  type ScoringRule,
  type UpdateLead,
} from '@relay/contracts/leads'
import { Conflict } from '@relay/core/outcomes'
import type { EventSpec } from './events.js'

const fold = (v: unknown) =>
  String(v)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim()

/** Whether one rule matches a lead. Text compares case- and accent-insensitively; gte/lte need numbers. */
export function ruleMatches(lead: Partial<Lead>, rule: ScoringRule): boolean {
  const value = (lead as Record<string, unknown>)[rule.field]
  const present = value !== undefined && value !== null && value !== ''
  switch (rule.operator) {
    case 'exists':
      return present
    case 'eq':
      return present && rule.value !== undefined && fold(value) === fold(rule.value)
    case 'neq':
      return rule.value !== undefined && (!present || fold(value) !== fold(rule.value))
    case 'contains':
      return present && rule.value !== undefined && fold(value).includes(fold(rule.value))
    case 'gte':
    case 'lte': {
      const n = typeof value === 'number' ? value : Number.NaN
      const limit = typeof rule.value === 'number' ? rule.value : Number(rule.value)
      if (!Number.isFinite(n) || !Number.isFinite(limit)) return false
      return rule.operator === 'gte' ? n >= limit : n <= limit
    }
  }
}

/**
 * The fit score: the sum of the points of every matching rule, clamped to 0..100.
 *
 * @example
 * scoreLead({ source: 'referral' }, [{ field: 'source', operator: 'eq', value: 'referral', points: 30 }]) // 30
 */
export function scoreLead(lead: Partial<Lead>, rules: readonly ScoringRule[]): number {
  const total = rules.reduce((sum, r) => sum + (ruleMatches(lead, r) ? r.points : 0), 0)
  return Math.min(100, Math.max(0, total))
}

const clampScore = (n: number) => Math.min(100, Math.max(0, n))

/** The lead with its fit rescored; `score` = fit + engagement, clamped to 0..100. */
export function withScores(lead: Lead, rules: readonly ScoringRule[]): Lead {
  const fitScore = scoreLead(lead, rules)
  return { ...lead, fitScore, score: clampScore(fitScore + (lead.engagementScore ?? 0)) }
}

/** Adds engagement points (capped at 100 in total) and recomputes `score` from the stored fit. */
export function addEngagement(lead: Lead, points: number, now: string): Lead {
  const engagementScore = clampScore((lead.engagementScore ?? 0) + points)
  const fitScore = lead.fitScore ?? lead.score
  return {
    ...lead,
    engagementScore,
    fitScore,
    score: clampScore(fitScore + engagementScore),
    version: lead.version + 1,
    updatedAt: now,
  }
}

/** A new lead (version 1), scored. */
export function buildLead(
  input: CreateLead,
  ctx: { id: string; userId: string; now: string; rules: readonly ScoringRule[] },
): Lead {
  const { ownerId, status, ...fields } = input
  const lead: Lead = {
    id: ctx.id,
    ...fields,
    status: status ?? 'new',
    ownerId: ownerId || ctx.userId,
    score: 0,
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
  return withScores(lead, ctx.rules)
}

const CLEARABLE = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'companyName',
  'title',
  'country',
  'employees',
  'territory',
  'campaign',
] as const

/** Merge-patch (null clears), rescored with the current rules. */
export function applyLeadPatch(
  current: Lead,
  patch: UpdateLead,
  ctx: { now: string; rules: readonly ScoringRule[] },
): Lead {
  const next: Record<string, unknown> = { ...current }
  for (const key of CLEARABLE) {
    if (patch[key] === undefined) continue
    if (patch[key] === null) delete next[key]
    else next[key] = patch[key]
  }
  if (patch.source) next.source = patch.source
  if (patch.status) next.status = patch.status
  if (patch.ownerId) next.ownerId = patch.ownerId
  const lead = { ...(next as Lead), version: current.version + 1, updatedAt: ctx.now }
  return withScores(lead, ctx.rules)
}

/** Whether a lead still has something to identify it by. */
export const leadHasIdentity = (lead: Lead) => Boolean(lead.lastName || lead.email || lead.companyName)

const LEAD_FIELDS = [...CLEARABLE, 'source', 'status', 'ownerId', 'score'] as const

/** Field changes between two versions of a lead. */
export function diffLeads(before: Lead, after: Lead): Record<string, { before?: unknown; after?: unknown }> {
  const changes: Record<string, { before?: unknown; after?: unknown }> = {}
  for (const f of LEAD_FIELDS) {
    if (before[f] === after[f]) continue
    changes[f] = {
      ...(before[f] !== undefined ? { before: before[f] } : {}),
      ...(after[f] !== undefined ? { after: after[f] } : {}),
    }
  }
  return changes
}

/** The converted lead and the `Lead.Converted` data, with the contact id (and deal id) chosen up front. */
export function convertLead(
  lead: Lead,
  ctx: { contactId: string; dealId?: string | undefined; userId: string; now: string },
): { lead: Lead; event: LeadConvertedV1 } {
  const conversion = {
    contactId: ctx.contactId,
    ...(ctx.dealId ? { dealId: ctx.dealId } : {}),
    convertedAt: ctx.now,
    convertedBy: ctx.userId,
  }
  const contact = {
    ...(lead.firstName ? { firstName: lead.firstName } : {}),
    ...(lead.lastName ? { lastName: lead.lastName } : {}),
    ...(lead.email ? { email: lead.email } : {}),
    ...(lead.phone ? { phone: lead.phone } : {}),
    ...(lead.companyName ? { companyName: lead.companyName } : {}),
    ...(lead.title ? { title: lead.title } : {}),
    // The region its phone was typed in: without it a national number could not become E.164.
    ...(lead.country ? { country: lead.country } : {}),
    ownerId: lead.ownerId,
  }
  return {
    lead: { ...lead, status: 'converted', conversion, version: lead.version + 1, updatedAt: ctx.now },
    event: {
      leadId: lead.id,
      contactId: ctx.contactId,
      ...(ctx.dealId ? { dealId: ctx.dealId } : {}),
      contact,
      source: lead.source,
      ...(lead.campaign ? { campaign: lead.campaign } : {}),
    },
  }
}

/** A display name for a deal made from a lead. */
export const dealNameFor = (lead: Lead) =>
  lead.companyName ?? ([lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email || 'New deal')

/** `Lead.Created` (and `Lead.Assigned` when the rules picked its owner). */
export function leadCreatedEvents(lead: Lead, assigned?: LeadAssignedV1): EventSpec[] {
  return [
    { detailType: LEAD_EVENT.created, data: lead },
    ...(assigned ? [{ detailType: LEAD_EVENT.assigned, data: { ...assigned, leadId: lead.id } }] : []),
  ]
}

/** `Lead.Updated`: the fields that changed (see {@link diffLeads}). */
export const leadUpdated = (lead: Lead, changes: ReturnType<typeof diffLeads>): EventSpec => ({
  detailType: LEAD_EVENT.updated,
  data: { id: lead.id, version: lead.version, changes },
})

/** `Lead.Updated` of engagement points: engagement score and score, before and after. */
export const leadEngaged = (before: Lead, after: Lead): EventSpec =>
  leadUpdated(after, {
    engagementScore: {
      ...(before.engagementScore !== undefined ? { before: before.engagementScore } : {}),
      after: after.engagementScore,
    },
    score: { before: before.score, after: after.score },
  })

/** `Lead.Deleted`: the id and the version deleted. */
export const leadDeleted = (lead: Lead): EventSpec => ({
  detailType: LEAD_EVENT.deleted,
  data: { id: lead.id, version: lead.version },
})

/** A converted lead is read-only: it lives on as the contact (and deal) it became. */
export class LeadConverted extends Conflict {
  constructor() {
    super('A converted lead cannot change.')
  }
}

/** `Lead.Converted` (and `Deal.Created` for the deal made with it). */
export const conversionEvents = (data: LeadConvertedV1, deal: EventSpec | undefined): EventSpec[] => [
  { detailType: LEAD_EVENT.converted, data },
  ...(deal ? [deal] : []),
]
