import type { Contact } from '@relay/contracts/contacts'
import { nowIso } from '@relay/core/ids'
import { Invalid, NotFound, StaleVersion } from '@relay/core/outcomes'
import { diffContacts } from '../domain/contact.js'
import { mergeContacts, mergeProblems } from '../domain/merge.js'
import { http } from '../kit.js'
import * as routes from '../routes/contacts.js'
import { getContacts, mergeContactsInto } from '../store/contacts.js'

/**
 * POST /contacts/{id}/merge `{ sourceIds }` (or `{ sourceId }`) → 200 + ETag: `{id}` absorbs each
 * source in order (its emails, phones, links and history move over; the source is deleted), one
 * transaction and one `Contact.Merged` per source. Every source is checked, and the final merged
 * contact against the limits, before anything is written. If-Match applies to `{id}`.
 */
export const handler = http(
  routes.mergeContacts,
  async ({ params, body, caller, ifMatch, correlationId }) => {
    const [field, ids] = body.sourceIds ? ['sourceIds', body.sourceIds] : ['sourceId', [body.sourceId ?? '']]
    const at = (i: number) => (field === 'sourceIds' ? `sourceIds.${i}` : 'sourceId')
    const self = ids.indexOf(params.id)
    if (self >= 0) {
      throw new Invalid([
        { field: at(self), code: 'same_contact', message: 'A contact cannot absorb itself' },
      ])
    }
    const found = await getContacts(caller.tenantId, [params.id, ...ids])
    const target = found.get(params.id)
    if (!target) throw new NotFound('No contact with this id.')
    const missing = ids.flatMap((id, i) =>
      found.has(id) ? [] : [{ field: at(i), code: 'not_found', message: 'No contact with this id' }],
    )
    if (missing.length) throw new Invalid(missing)
    if (ifMatch !== undefined && ifMatch !== target.version) throw new StaleVersion()
    const sources = ids.map((id) => found.get(id) as Contact)
    const now = nowIso()
    const steps = sources.reduce<{ before: Contact; after: Contact; source: Contact }[]>((acc, source) => {
      const before = acc[acc.length - 1]?.after ?? target
      acc.push({ before, after: mergeContacts(before, source, now), source })
      return acc
    }, [])
    const merged = steps[steps.length - 1]?.after ?? target
    const problems = mergeProblems(merged)
    if (problems.length) throw new Invalid(problems, 'The merged contact would break a limit.')
    // Each step is conditioned on the version the previous one wrote: a concurrent edit stops the
    // chain with 409/412, the sources merged so far staying merged (each step is whole).
    for (const { before, after, source } of steps) {
      await mergeContactsInto(
        caller.tenantId,
        before,
        after,
        source,
        diffContacts(before, after),
        correlationId,
        caller.userId,
      )
    }
    return { status: 200, body: merged, version: merged.version }
  },
)
