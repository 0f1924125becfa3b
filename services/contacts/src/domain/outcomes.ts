/**
 * What the contacts service's own rules refuse, in its words (core's HTTP layer answers them as
 * 409 problem+json; the import runner counts them per row). The generic outcomes (`Invalid`,
 * `NotFound`, `StaleVersion`...) come from core.
 */
import { Conflict } from '@relay/core/outcomes'

/** An address belongs to another contact of the tenant (one contact per email). */
export class EmailTaken extends Conflict {
  /** The contact that has the address (absent if it went away in the meantime). */
  readonly existingId: string | undefined
  /** The field of the request that carries the address, e.g. `emails.0.address`. */
  readonly field: string

  constructor(address: string, field: string, existingId: string | undefined) {
    super(`Another contact already has the email ${address}.`, {
      ...(existingId ? { existingId } : {}),
      field,
    })
    this.existingId = existingId
    this.field = field
  }
}

/** A contact with this id exists already (a retried create: an import row, a converted lead). */
export class ContactExists extends Conflict {
  readonly id: string
  constructor(id: string) {
    super('A contact with this id exists already.', { existingId: id })
    this.id = id
  }
}

/** A company cannot go while contacts still belong to it. */
export class CompanyInUse extends Conflict {
  constructor() {
    super('Contacts still belong to this company; unlink them first.')
  }
}
