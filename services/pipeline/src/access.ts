/**
 * Who may call which pipeline route. The manifest (API Gateway, docs, route tests) and the handlers
 * (the check that runs) both import these, so they cannot disagree.
 */
import { ANY_ROLE, MANAGERS, type Role, WRITERS } from '@relay/core/manifest'

/** Reading deals, leads, pipelines, settings, quotas and the forecast. */
export const READ_ROLES: readonly Role[] = ANY_ROLE
/** Sales work: deals and leads, their stages and conversion. */
export const SALES_ROLES: readonly Role[] = WRITERS
/** Configuration that shapes everyone's numbers: pipelines, products, settings, quotas. */
export const CONFIG_ROLES: readonly Role[] = MANAGERS
