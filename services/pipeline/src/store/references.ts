/**
 * References a deal or an activity makes to records: contacts (owned by the contacts service, known
 * here only through this service's projection of contacts' events) and this service's own deals
 * and leads.
 *
 * The rule (issue 9.8), deliberately asymmetric because contacts' events arrive with a delay:
 * - a contact the projection knows as gone (deleted, erased, merged away) is refused, naming the
 *   survivor of a merge;
 * - a contact the projection has no trace of is accepted: it may have been created a moment ago
 *   (or before this service projected contacts without emails); the contacts service's subscribers
 *   park an entry for a contact they do not have yet, within their bound, then drop it with a log
 *   line, so no reference ends in a dead letter;
 * - a deal or lead (`relatedTo` of an activity) is this service's own record: it must exist now.
 *
 * Access patterns: GetItem of the contact projection (contacts module), of a deal or a lead.
 */

import { contactReferenceProblem } from '../domain/contact-mail.js'
import type { Problem } from '../domain/pipeline.js'
import { getContactMail } from './contacts.js'
import { getDeal } from './deals.js'
import { getLead } from './leads.js'

/** What a write points at: a deal's `contactId`, an activity's `relatedTo`. */
export interface References {
  contactId?: string | null | undefined
  relatedTo?: { type: 'contact' | 'deal' | 'lead'; id: string } | undefined
}

/** One problem per reference the rule above refuses (field `contactId` or `relatedTo.id`). */
export async function referenceProblems(tenantId: string, refs: References): Promise<Problem[]> {
  const problems: Problem[] = []
  if (refs.contactId) {
    const p = contactReferenceProblem('contactId', await getContactMail(tenantId, refs.contactId))
    if (p) problems.push(p)
  }
  const related = refs.relatedTo
  if (related?.type === 'contact') {
    const p = contactReferenceProblem('relatedTo.id', await getContactMail(tenantId, related.id))
    if (p) problems.push(p)
  } else if (related) {
    const found =
      related.type === 'deal' ? await getDeal(tenantId, related.id) : await getLead(tenantId, related.id)
    if (!found)
      problems.push({
        field: 'relatedTo.id',
        code: `unknown_${related.type}`,
        message: `No ${related.type} with this id`,
      })
  }
  return problems
}
