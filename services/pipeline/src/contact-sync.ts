/**
 * Applying contacts events to what the pipeline holds: Contact.Merged / Contact.Erased to deals,
 * activities and leads (every change a versioned write with its own event, retried on a lost race
 * after a fresh read, and idempotent: a redelivered event finds nothing left to change), and
 * Contact.Created / Updated / Merged / Erased to the projection of contacts' emails (returned as
 * writes for the subscriber's transaction).
 */
import { LEAD_EVENT } from '@relay/contracts/leads'
import { DEAL_EVENT } from '@relay/contracts/pipeline'
import { isConditionalCheckFailed } from '@relay/core/ddb'
import { nowIso } from '@relay/core/ids'
import type { TransactItem } from '@relay/core/outbox'
import {
  eraseLeadPersonalData,
  LEAD_PERSONAL_FIELDS,
  repointActivity,
  repointDeal,
} from './domain/contact-links.js'
import { type ContactMailState, contactMailGone, nextContactMail } from './domain/contact-mail.js'
import { emailFingerprint } from './domain/engagement.js'
import {
  activitiesOfContact,
  contactMailPut,
  dealsOfContact,
  deleteContactLinks,
  deleteEntity,
  type EventSpec,
  getActivity,
  getContactMail,
  getDeal,
  getLead,
  leadEmailLinkDelete,
  leadIdsOfContact,
  moveContactLink,
  writeEntity,
} from './store.js'

const ATTEMPTS = 3

/** Writes `compute(current)` at the version read, re-reading after a lost race; nothing when compute says so. */
async function update<T extends { version: number }>(
  first: T | undefined,
  reread: () => Promise<T | undefined>,
  compute: (current: T) => T | undefined,
  write: (next: T, expected: number) => Promise<void>,
): Promise<void> {
  let current = first
  for (let attempt = 0; attempt < ATTEMPTS && current; attempt++) {
    const next = compute(current)
    if (!next) return
    try {
      await write(next, current.version)
      return
    } catch (err) {
      if (!isConditionalCheckFailed(err) || attempt === ATTEMPTS - 1) throw err
      current = await reread()
    }
  }
}

const dealUpdated = (id: string, version: number, before?: string, after?: string): EventSpec => ({
  detailType: DEAL_EVENT.updated,
  data: {
    id,
    version,
    changes: { contactId: { ...(before ? { before } : {}), ...(after ? { after } : {}) } },
  },
})

/** Contact `sourceId` was merged into `targetId`: deals, activities and lead links follow. */
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
      (next, expected) =>
        writeEntity(
          tenantId,
          'DEAL',
          next,
          expected,
          [dealUpdated(next.id, next.version, sourceId, targetId)],
          correlationId,
        ),
    )
  }
  for (const activity of await activitiesOfContact(tenantId, sourceId)) {
    await update(
      activity,
      () => getActivity(tenantId, activity.id),
      (a) => repointActivity(a, sourceId, targetId, now),
      (next, expected) => writeEntity(tenantId, 'ACTIVITY', next, expected, [], correlationId),
    )
  }
  for (const leadId of await leadIdsOfContact(tenantId, sourceId)) {
    await moveContactLink(tenantId, sourceId, targetId, leadId)
  }
}

/**
 * Contact `contactId` was erased: deals forget it, its activities are deleted (their notes are about
 * the person), and the leads it came from lose their personal data. `Lead.Updated` names the erased
 * fields without their values.
 */
export async function followErasure(tenantId: string, contactId: string, correlationId: string) {
  const now = nowIso()
  for (const deal of await dealsOfContact(tenantId, contactId)) {
    await update(
      deal,
      () => getDeal(tenantId, deal.id),
      (d) => repointDeal(d, contactId, undefined, now),
      (next, expected) =>
        writeEntity(
          tenantId,
          'DEAL',
          next,
          expected,
          [dealUpdated(next.id, next.version, contactId)],
          correlationId,
        ),
    )
  }
  for (const activity of await activitiesOfContact(tenantId, contactId)) {
    await deleteEntity(tenantId, 'ACTIVITY', activity.id, activity.version, [], correlationId).catch(
      (err: unknown) => {
        if (!isConditionalCheckFailed(err)) throw err
      },
    )
  }
  const leadIds = await leadIdsOfContact(tenantId, contactId)
  for (const leadId of leadIds) {
    // The email link (a fingerprint in a key) goes with the email it was made from.
    let erasedEmail: string | undefined
    await update(
      await getLead(tenantId, leadId),
      () => getLead(tenantId, leadId),
      (l) => {
        erasedEmail = l.email
        return eraseLeadPersonalData(l, now)
      },
      (next, expected) =>
        writeEntity(
          tenantId,
          'LEAD',
          next,
          expected,
          [
            {
              detailType: LEAD_EVENT.updated,
              data: {
                id: next.id,
                version: next.version,
                changes: Object.fromEntries(LEAD_PERSONAL_FIELDS.map((f) => [f, {}])),
              },
            },
          ],
          correlationId,
          erasedEmail ? [leadEmailLinkDelete(tenantId, next.id, emailFingerprint(erasedEmail))] : [],
        ),
    )
  }
  await deleteContactLinks(tenantId, contactId, leadIds)
}

/**
 * The write that brings contact `contactId`'s email projection to `stated`, conditioned on the
 * version read (a concurrent write fails it and the event is retried); none when the projection is
 * of the same or a newer version already, or the contact is gone.
 */
export async function projectContactMail(
  tenantId: string,
  contactId: string,
  stated: ContactMailState,
): Promise<TransactItem[]> {
  const current = await getContactMail(tenantId, contactId)
  const next = nextContactMail(contactId, current, stated)
  return next ? [contactMailPut(tenantId, next, current)] : []
}

/** The tombstone write of an erased or merged-away contact's projection: its emails never come back. */
export function contactMailTombstone(
  tenantId: string,
  contactId: string,
  version: number,
  gone: 'erased' | 'merged',
): TransactItem {
  return contactMailPut(tenantId, contactMailGone(contactId, version, gone), 'overwrite')
}
