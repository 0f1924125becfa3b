import { LEAD_EVENT, type Lead } from '@relay/contracts/leads'
import { nowIso } from '@relay/core/ids'
import { emailFingerprint, engagementOf } from '../domain/engagement.js'
import { addEngagement } from '../domain/lead.js'
import { contactFingerprints, leadIdsOfContact } from '../store/contacts.js'
import { getLead, leadIdsByEmail, leadWriteItems } from '../store/leads.js'
import { subscriber } from '../subscriber.js'

/** Most leads one event may credit (one transaction holds ≤ 100 items, two per lead). */
const MAX_LEADS = 10

/**
 * `Interaction.Logged` (crm.contacts) and `Email.Opened` / `Email.Clicked` (crm.campaigns) → engagement
 * points on the matching open leads, rescored (`score` = fit + engagement) with `Lead.Updated`.
 *
 * Matching, from what the event carries (read defensively: the campaigns contract does not exist
 * yet): `leadId` directly; `contactId` through the leads converted into that contact and through
 * this service's projection of the contact's current emails (Contact.Created / Updated / Merged);
 * `email` through the leads' email links. A link is used only if the lead still has that email.
 * Idempotent: the subscriber dedupes on the event id; the lead writes are version-guarded, and a
 * lost race retries the event.
 */
export const handler = subscriber({
  async handle(event) {
    const { tenantId, data, correlationId } = event.detail
    const target = engagementOf(event.detailType, data)
    if (!target) return []
    const direct = new Set<string>()
    const byEmail = new Map<string, Set<string>>()
    if (target.leadId) direct.add(target.leadId)
    const fingerprints = new Set<string>()
    if (target.email) fingerprints.add(emailFingerprint(target.email))
    if (target.contactId) {
      for (const id of await leadIdsOfContact(tenantId, target.contactId)) direct.add(id)
      for (const fp of await contactFingerprints(tenantId, target.contactId)) fingerprints.add(fp)
    }
    for (const fp of fingerprints)
      for (const id of await leadIdsByEmail(tenantId, fp))
        byEmail.set(id, (byEmail.get(id) ?? new Set()).add(fp))

    const ids = [...new Set([...direct, ...byEmail.keys()])].slice(0, MAX_LEADS)
    const now = nowIso()
    const items = []
    for (const id of ids) {
      const lead = await getLead(tenantId, id)
      if (!lead || lead.status === 'converted') continue
      const viaEmail = byEmail.get(id)
      if (!direct.has(id) && !(lead.email && viaEmail?.has(emailFingerprint(lead.email)))) continue
      const next: Lead = addEngagement(lead, target.points, now)
      items.push(
        ...leadWriteItems(
          tenantId,
          next,
          lead.version,
          [
            {
              detailType: LEAD_EVENT.updated,
              data: {
                id: next.id,
                version: next.version,
                changes: {
                  engagementScore: {
                    ...(lead.engagementScore !== undefined ? { before: lead.engagementScore } : {}),
                    after: next.engagementScore,
                  },
                  score: { before: lead.score, after: next.score },
                },
              },
            },
          ],
          correlationId,
        ),
      )
    }
    return items
  },
})
