/**
 * Key builders. Every key value of every table starts with `T#<tenantId>#`, so a query built from
 * the verified tenant can never reach another tenant's items.
 */

/**
 * `T#<tenantId>#` — the prefix every key of a tenant starts with.
 *
 * Throws on an empty tenant or one containing `#`: either would let a key collide with another
 * tenant's key space.
 */
export function tenantPrefix(tenantId: string): string {
  if (!tenantId || tenantId.includes('#')) throw new Error(`Invalid tenantId for a key: '${tenantId}'`)
  return `T#${tenantId}#`
}

/**
 * A tenant-scoped key value.
 *
 * @example
 * tenantKey('acme', 'CONTACT', id) // 'T#acme#CONTACT#01JD...'
 */
export function tenantKey(tenantId: string, ...parts: (string | number)[]): string {
  return tenantPrefix(tenantId) + parts.join('#')
}
