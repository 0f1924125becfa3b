/**
 * An event a change announces: the domain decides which (detail-type and data), the store writes
 * them to the outbox in the same transaction as the change.
 */
export interface EventSpec {
  detailType: string
  data: unknown
}
