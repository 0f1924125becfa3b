import { nowIso } from '@relay/core/ids'
import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/contacts.js'
import { getCompany } from '../store/companies.js'
import { getContact } from '../store/contacts.js'
import { fullTimeline } from '../store/timeline.js'

/**
 * GET /contacts/{id}/export → everything held about the contact (right of access / portability):
 * the contact, its companies and its whole timeline.
 */
export const handler = httpNonPost(routes.exportContact, async ({ params, caller }) => {
  const contact = await getContact(caller.tenantId, params.id)
  if (!contact) throw new NotFound('No contact with this id.')
  const [companies, timeline] = await Promise.all([
    Promise.all((contact.companies ?? []).map((l) => getCompany(caller.tenantId, l.companyId))),
    fullTimeline(caller.tenantId, contact.id),
  ])
  return {
    status: 200,
    body: { exportedAt: nowIso(), contact, companies: companies.filter(Boolean), timeline },
    headers: { 'content-disposition': `attachment; filename="contact-${contact.id}.json"` },
  }
})
