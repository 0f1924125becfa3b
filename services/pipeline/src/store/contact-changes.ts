/**
 * Contacts' merges and erasures applied to what the pipeline holds: deals, activities and leads
 * that point at the contact. Every change is a versioned write with its own event (the domain's
 * `contact-links` decides both), retried after a fresh read when it loses a race, and idempotent: a
 * redelivered event finds nothing left to change.
 *
 * Access patterns: those of the deals (a contact's deals, gsi4), activities (a contact's
 * activities, gsi2), leads (by id) and contacts (the links of converted leads) modules.
 */
import { isConditionalCheckFailed } from '@relay/core/ddb'
import { nowIso } from '@relay/core/ids'
import {
  dealContactChanged,
  eraseLeadPersonalData,
  leadConversionMoved,
  leadErased,
  repointActivity,
  repointDeal,
  repointLeadConversion,
} from '../domain/contact-links.js'
import { emailFingerprint } from '../domain/engagement.js'
import { activitiesOfContact, getActivity, removeActivity, saveActivity } from './activities.js'
import { deleteContactLinks, leadIdsOfContact, moveContactLink } from './contacts.js'
import { dealsOfContact, getDeal, saveDeal } from './deals.js'
import { getLead, leadEmailLinkDelete, saveLead } from './leads.js'

const ATTEMPTS = 3

/** Writes `compute(current)` at the version read, re-reading after a lost race; nothing when compute says so. */
async function update<T extends { version: number }>(
  first: T | undefined,
  reread: () => Promise<T | undefined>,
  compute: (current: T) => T | undefined,
  write: (next: T, current: T) => Promise<void>,
): Promise<void> {
  let current = first
  for (let attempt = 0; attempt < ATTEMPTS && current; attempt++) {
    const next = compute(current)
    if (!next) return
    try {
      await write(next, current)
      return
    } catch (err) {
      if (!isConditionalCheckFailed(err) || attempt === ATTEMPTS - 1) throw err
      current = await reread()
    }
  }
}

/**
 * Contact `sourceId` was merged into `targetId`: deals, activities, converted leads and their
 * links follow the surviving contact.
 */
export async function followMerge(
  tenantId: string,
  sourceId: string,
  targetId: string,
  correlationId: string,
) {
  const now = nowIso()
  for (const deal of await dealsOfContact(tenantId, sourceId)) {
    await update(
      deal,
      () => getDeal(tenantId, deal.id),
      (d) => repointDeal(d, sourceId, targetId, now),
      (next, current) =>
        saveDeal(
          tenantId,
          next,
          current.version,
          [dealContactChanged(next, sourceId, targetId)],
          correlationId,
        ),
    )
  }
  for (const activity of await activitiesOfContact(tenantId, sourceId)) {
    await update(
      activity,
      () => getActivity(tenantId, activity.id),
      (a) => repointActivity(a, sourceId, targetId, now),
      (next, current) => saveActivity(tenantId, next, current.version, [], correlationId),
    )
  }
  for (const leadId of await leadIdsOfContact(tenantId, sourceId)) {
    await update(
      await getLead(tenantId, leadId),
      () => getLead(tenantId, leadId),
      (l) => repointLeadConversion(l, sourceId, targetId, now),
      (next, current) =>
        saveLead(tenantId, next, current.version, [leadConversionMoved(current, next)], correlationId),
    )
    await moveContactLink(tenantId, sourceId, targetId, leadId)
  }
}

/**
 * Contact `contactId` was erased: deals forget it, its activities are deleted (their notes are about
 * the person), and the leads it came from lose their personal data and its email links.
 */
export async function followErasure(tenantId: string, contactId: string, correlationId: string) {
  const now = nowIso()
  for (const deal of await dealsOfContact(tenantId, contactId)) {
    await update(
      deal,
      () => getDeal(tenantId, deal.id),
      (d) => repointDeal(d, contactId, undefined, now),
      (next, current) =>
        saveDeal(tenantId, next, current.version, [dealContactChanged(next, contactId)], correlationId),
    )
  }
  for (const activity of await activitiesOfContact(tenantId, contactId)) {
    await removeActivity(tenantId, activity.id, activity.version, correlationId).catch((err: unknown) => {
      if (!isConditionalCheckFailed(err)) throw err
    })
  }
  const leadIds = await leadIdsOfContact(tenantId, contactId)
  for (const leadId of leadIds) {
    await update(
      await getLead(tenantId, leadId),
      () => getLead(tenantId, leadId),
      (l) => eraseLeadPersonalData(l, now),
      // The email link (a fingerprint in a key) goes with the email it was made from.
      (next, current) =>
        saveLead(
          tenantId,
          next,
          current.version,
          [leadErased(next)],
          correlationId,
          current.email ? [leadEmailLinkDelete(tenantId, next.id, emailFingerprint(current.email))] : [],
        ),
    )
  }
  await deleteContactLinks(tenantId, contactId, leadIds)
}
