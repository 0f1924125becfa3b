import { nowIso } from '@relay/core/ids'
import { Invalid, NotFound, StaleVersion } from '@relay/core/outcomes'
import { applyPatch, contactProblems, diffContacts, inputProblems } from '../domain/contact.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/contacts.js'
import { getContact, replaceContact } from '../store/contacts.js'
import { flagDuplicates } from '../store/duplicates.js'
import { getContactFields } from '../store/settings.js'

/**
 * PATCH /contacts/{id} (merge-patch) → 200 + ETag. If-Match with a stale version → 412. A patch
 * that changes nothing writes nothing and publishes nothing. Email guards move in the same
 * transaction; an email another contact has → 409 with `existingId`.
 */
export const handler = httpNonPost(
  routes.updateContact,
  async ({ params, body, caller, ifMatch, correlationId, logger }) => {
    const current = await getContact(caller.tenantId, params.id)
    if (!current) throw new NotFound('No contact with this id.')
    if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()

    // Settings matter only to phones (default region) and custom fields: read them only then.
    const needsSettings = body.phones !== undefined || body.customFields !== undefined
    const settings = needsSettings ? await getContactFields(caller.tenantId) : { fields: [], version: 0 }
    const region = body.defaultRegion ?? ('defaultRegion' in settings ? settings.defaultRegion : undefined)
    const input = inputProblems(body, { region, fieldDefs: settings.fields }, current)
    if (input.length) throw new Invalid(input)

    const next = applyPatch(current, body, nowIso(), region)
    const problems = contactProblems(next)
    if (problems.length) throw new Invalid(problems)
    const changes = diffContacts(current, next)
    if (Object.keys(changes).length === 0) return { status: 200, body: current, version: current.version }

    await replaceContact(caller.tenantId, current, next, changes, correlationId, { actorId: caller.userId })
    await flagDuplicates(caller.tenantId, next, logger)
    return { status: 200, body: next, version: next.version }
  },
)
