import { ANY_ROLE, type Role } from '@relay/core/manifest'

/** Shared by the manifest and the handler so both name the same list. */
export const SUMMARY_ROLES: readonly Role[] = ANY_ROLE
