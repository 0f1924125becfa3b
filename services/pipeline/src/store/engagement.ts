/**
 * Engagement points from other services' events, credited to the leads an event is about.
 *
 * Access patterns: those of the leads module (a lead by id, leads by email fingerprint) and the
 * contacts module (leads converted into a contact, a contact's email fingerprints).
 */
import { nowIso } from '@relay/core/ids'
import { combine, type Work } from '@relay/core/work'
import { type EngagementTarget, emailFingerprint } from '../domain/engagement.js'
import { addEngagement, leadEngaged } from '../domain/lead.js'
import { contactFingerprints, leadIdsOfContact } from './contacts.js'
import { getLead, leadIdsByEmail, leadWork } from './leads.js'

/** Most leads one event may credit (one transaction holds ≤ 100 items, two per lead). */
const MAX_LEADS = 10

/**
 * The writes that credit `target.points` to the open leads an event names, rescored with
 * `Lead.Updated`: `leadId` directly; `contactId` through the leads converted into that contact and
 * through the projection of the contact's current emails; `email` through the leads' email links.
 * A link is used only if the lead still has that email. Each lead write is version-guarded: a lost
 * race fails the transaction and the event is retried.
 */
export async function creditEngagement(
  tenantId: string,
  target: EngagementTarget,
  correlationId: string,
): Promise<Work | undefined> {
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
  const writes: Work[] = []
  for (const id of ids) {
    const lead = await getLead(tenantId, id)
    if (!lead || lead.status === 'converted') continue
    const viaEmail = byEmail.get(id)
    if (!direct.has(id) && !(lead.email && viaEmail?.has(emailFingerprint(lead.email)))) continue
    const next = addEngagement(lead, target.points, now)
    writes.push(leadWork(tenantId, next, lead.version, [leadEngaged(lead, next)], correlationId))
  }
  return writes.length ? combine(...writes) : undefined
}
