/**
 * What a template sees of a recipient (`{{ contact.* }}`): the audience record's personal fields,
 * never its bookkeeping (consent, versions, engagement, tombstone). Pure.
 */
import type { AudienceRecord } from './audience.js'

export function templateContact(rec: AudienceRecord): Record<string, unknown> {
  return {
    id: rec.contactId,
    ...(rec.email ? { email: rec.email } : {}),
    ...(rec.firstName ? { firstName: rec.firstName } : {}),
    ...(rec.lastName ? { lastName: rec.lastName } : {}),
    ...(rec.displayName ? { displayName: rec.displayName } : {}),
    ...(rec.companyName ? { companyName: rec.companyName } : {}),
    ...(rec.jobTitle ? { jobTitle: rec.jobTitle } : {}),
    tags: rec.tags,
    ...(rec.lifecycleStage ? { lifecycleStage: rec.lifecycleStage } : {}),
    ...(rec.tier ? { tier: rec.tier } : {}),
    custom: rec.customFields ?? {},
  }
}
