/**
 * Quotas, one document per period (table `main`).
 *
 * | item   | pk                   | sk     |
 * | quotas | T#t#QUOTAS#<period>  | QUOTAS |
 *
 * Access patterns:
 *  1. A period's quotas                 GetItem (consistent: its version feeds If-Match)
 *  2. Replace a period's quotas         PutItem, attribute_not_exists(pk) or version = the version read
 */
import type { Quotas } from '@relay/contracts/pipeline'
import { tenantKey } from '@relay/core/keys'
import { getDoc, putDoc } from './settings.js'

const quotasKey = (tenantId: string, period: string) => ({
  pk: tenantKey(tenantId, 'QUOTAS', period),
  sk: 'QUOTAS',
})

/** Access pattern 1. */
export const getQuotas = (t: string, period: string) => getDoc<Quotas>(quotasKey(t, period))
/** Access pattern 2. */
export const putQuotas = (t: string, doc: Quotas, expected: number) =>
  putDoc(quotasKey(t, doc.period), doc, expected)
