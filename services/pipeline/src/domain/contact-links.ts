/**
 * What the pipeline does when a contact is merged or erased, pure: deals and activities follow the
 * surviving contact; an erased contact's personal data goes from the leads it came from.
 */
import type { Activity } from '@relay/contracts/activities'
import type { Lead } from '@relay/contracts/leads'
import type { Deal } from '@relay/contracts/pipeline'

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
