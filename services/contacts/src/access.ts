/**
 * Who may call which contacts route. The manifest (API Gateway, docs, route tests) and the handlers
 * (the check that runs) both import these, so they cannot disagree.
 */
import { ANY_ROLE, MANAGERS, type Role, WRITERS } from '@relay/core/manifest'

export const READ_ROLES: readonly Role[] = ANY_ROLE
export const WRITE_ROLES: readonly Role[] = WRITERS
/** Deleting is irreversible and fans out to every service's projections: managers and admins only. */
export const DELETE_ROLES: readonly Role[] = MANAGERS
/** Custom field definitions shape every contact write of the tenant: managers and admins. */
export const SETTINGS_ROLES: readonly Role[] = MANAGERS
/** Bulk imports create many contacts at once: managers, admins and marketing. */
export const IMPORT_ROLES: readonly Role[] = ['admin', 'manager', 'marketing']
