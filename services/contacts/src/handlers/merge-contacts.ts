import { ContactIdParams, MergeContacts } from '@relay/contracts/contacts'
import { badRequest, notFound, preconditionFailed } from '@relay/core/errors'
import { nowIso } from '@relay/core/ids'
import { DELETE_ROLES } from '../access.js'
import { writeOrExplain } from '../concurrency.js'
import { diffContacts } from '../domain/contact.js'
import { mergeContacts, mergeProblems } from '../domain/merge.js'
import { http } from '../http.js'
import { getContact, mergeContactsInto } from '../store.js'

/**
 * POST /contacts/{id}/merge `{ sourceId }` → 200 + ETag: `{id}` absorbs the source, which is deleted
 * (its emails, phones, links and history move over), with Contact.Merged. If-Match applies to `{id}`.
 */
export const handler = http({
  roles: DELETE_ROLES,
  params: ContactIdParams,
  body: MergeContacts,
  async handle({ params, body, caller, ifMatch, correlationId }) {
    if (body.sourceId === params.id) {
      throw badRequest([
        { field: 'sourceId', code: 'same_contact', message: 'A contact cannot absorb itself' },
      ])
    }
    const [target, source] = await Promise.all([
      getContact(caller.tenantId, params.id),
      getContact(caller.tenantId, body.sourceId),
    ])
    if (!target) throw notFound('No contact with this id.')
    if (!source)
      throw badRequest([{ field: 'sourceId', code: 'not_found', message: 'No contact with this id' }])
    if (ifMatch !== undefined && ifMatch !== target.version) throw preconditionFailed()
    const merged = mergeContacts(target, source, nowIso())
    const problems = mergeProblems(merged)
    if (problems.length) throw badRequest(problems, 'The merged contact would break a limit.')
    await writeOrExplain(caller.tenantId, target.id, ifMatch, () =>
      mergeContactsInto(
        caller.tenantId,
        target,
        merged,
        source,
        diffContacts(target, merged),
        correlationId,
        caller.userId,
      ),
    )
    return { status: 200, body: merged, version: merged.version }
  },
})
