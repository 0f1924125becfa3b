/**
 * What the pipeline does when a contact is merged or erased, pure: deals and activities follow the
 * surviving contact; an erased contact's personal data goes from the leads it came from.
 */
import type { Activity } from '@relay/contracts/activities'
import { LEAD_EVENT, type Lead } from '@relay/contracts/leads'
import { DEAL_EVENT, type Deal } from '@relay/contracts/pipeline'
import type { EventSpec } from './events.js'

/** The deal pointing at `to` instead of `from`; undefined when it does not point at `from`. */
export function repointDeal(deal: Deal, from: string, to: string | undefined, now: string): Deal | undefined {
  if (deal.contactId !== from) return undefined
  const { contactId: _c, ...rest } = deal
  return { ...rest, ...(to ? { contactId: to } : {}), version: deal.version + 1, updatedAt: now }
}

/** The activity related to contact `to` instead of `from`; undefined when unrelated to `from`. */
export function repointActivity(
  activity: Activity,
  from: string,
  to: string,
  now: string,
): Activity | undefined {
  if (activity.relatedTo.type !== 'contact' || activity.relatedTo.id !== from) return undefined
  return {
    ...activity,
    relatedTo: { type: 'contact', id: to },
    version: activity.version + 1,
    updatedAt: now,
  }
}

/** Fields of a lead that identify a person (erased with the contact the lead became). */
export const LEAD_PERSONAL_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'title'] as const

/** The lead without personal data; undefined when it holds none. */
export function eraseLeadPersonalData(lead: Lead, now: string): Lead | undefined {
  if (!LEAD_PERSONAL_FIELDS.some((f) => lead[f] !== undefined)) return undefined
  const next: Record<string, unknown> = { ...lead }
  for (const f of LEAD_PERSONAL_FIELDS) delete next[f]
  return { ...(next as Lead), version: lead.version + 1, updatedAt: now }
}

/**
 * The converted lead pointing at contact `to` instead of `from` (the contact it became was merged
 * away); undefined when its conversion is not into `from`.
 */
export function repointLeadConversion(lead: Lead, from: string, to: string, now: string): Lead | undefined {
  if (lead.conversion?.contactId !== from) return undefined
  return {
    ...lead,
    conversion: { ...lead.conversion, contactId: to },
    version: lead.version + 1,
    updatedAt: now,
  }
}

/** `Deal.Updated` of a deal whose contact changed (merged into another, or erased: `after` absent). */
export function dealContactChanged(deal: Deal, before: string, after?: string): EventSpec {
  return {
    detailType: DEAL_EVENT.updated,
    data: {
      id: deal.id,
      version: deal.version,
      changes: { contactId: { before, ...(after ? { after } : {}) } },
    },
  }
}

/** `Lead.Updated` of a converted lead that follows its contact into the one that absorbed it. */
export function leadConversionMoved(before: Lead, after: Lead): EventSpec {
  return {
    detailType: LEAD_EVENT.updated,
    data: {
      id: after.id,
      version: after.version,
      changes: { conversion: { before: before.conversion, after: after.conversion } },
    },
  }
}

/** `Lead.Updated` of an erasure: it names the erased fields without their values. */
export function leadErased(lead: Lead): EventSpec {
  return {
    detailType: LEAD_EVENT.updated,
    data: {
      id: lead.id,
      version: lead.version,
      changes: Object.fromEntries(LEAD_PERSONAL_FIELDS.map((f) => [f, {}])),
    },
  }
}
