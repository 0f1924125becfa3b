import { ContactIdParams, UpdateContact } from '@relay/contracts/contacts'
import { badRequest, notFound, preconditionFailed } from '@relay/core/errors'
import { nowIso } from '@relay/core/ids'
import { WRITE_ROLES } from '../access.js'
import { writeOrExplain } from '../concurrency.js'
import { applyPatch, contactProblems, diffContacts } from '../domain/contact.js'
import { http } from '../http.js'
import { getContact, replaceContact } from '../store.js'

/**
 * PATCH /contacts/{id} (merge-patch) → 200 + ETag. If-Match with a stale version → 412. A patch
 * that changes nothing writes nothing and publishes nothing.
 */
export const handler = http({
  roles: WRITE_ROLES,
  params: ContactIdParams,
  body: UpdateContact,
  async handle({ params, body, caller, ifMatch, correlationId }) {
    const current = await getContact(caller.tenantId, params.id)
    if (!current) throw notFound('No contact with this id.')
    if (ifMatch !== undefined && ifMatch !== current.version) throw preconditionFailed()

    const next = applyPatch(current, body, nowIso())
    const problems = contactProblems(next)
    if (problems.length) throw badRequest(problems)
    const changes = diffContacts(current, next)
    if (Object.keys(changes).length === 0) return { status: 200, body: current, version: current.version }

    await writeOrExplain(caller.tenantId, current.id, ifMatch, () =>
      replaceContact(caller.tenantId, next, current.version, changes, correlationId),
    )
    return { status: 200, body: next, version: next.version }
  },
})
