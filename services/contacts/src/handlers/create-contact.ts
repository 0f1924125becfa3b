import { newId, nowIso } from '@relay/core/ids'
import { Invalid } from '@relay/core/outcomes'
import { buildContact, inputProblems } from '../domain/contact.js'
import { http } from '../kit.js'
import * as routes from '../routes/contacts.js'
import { insertContact } from '../store/contacts.js'
import { flagDuplicates } from '../store/duplicates.js'
import { getContactFields } from '../store/settings.js'

/**
 * POST /contacts → 201 + Location + ETag; the contact, its email guards, search tokens and
 * Contact.Created are written together. An email another contact has → 409 with `existingId`.
 */
export const handler = http(routes.createContact, async ({ body, caller, correlationId, logger }) => {
  const settings = await getContactFields(caller.tenantId)
  const region = body.defaultRegion ?? settings.defaultRegion
  const problems = inputProblems(body, { region, fieldDefs: settings.fields })
  if (problems.length) throw new Invalid(problems)
  const contact = buildContact(body, { id: newId(), ownerId: caller.userId, now: nowIso(), region })
  await insertContact(caller.tenantId, contact, correlationId, caller.userId)
  await flagDuplicates(caller.tenantId, contact, logger)
  return { status: 201, body: contact, version: contact.version, location: `/contacts/${contact.id}` }
})
