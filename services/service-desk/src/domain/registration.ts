/**
 * Product registrations and warranties, pure: building one, and what an agent sees on a ticket
 * (is the customer covered today?).
 *
 * | warranty end        | on the ticket's day | coverage    |
 * | ------------------- | ------------------- | ----------- |
 * | absent              | –                   | `unknown`   |
 * | ≥ the day           | covered             | `covered`   |
 * | < the day           | lapsed              | `expired`   |
 *
 * A contact is covered when any of their registrations is; dates are calendar days (the warranty
 * runs to the end of its last day, in the tenant's reading), compared as `YYYY-MM-DD` strings.
 */
import type {
  CreateRegistration,
  Registration,
  UpdateRegistration,
} from '@relay/contracts/service-desk-field'

export type CoverageState = 'covered' | 'expired' | 'unknown'

export interface RegistrationLike {
  id: string
  product: string
  serialNumber: string
  purchaseDate: string
  warrantyEnd?: string | undefined
}

export interface RegistrationCoverage {
  registrationId: string
  product: string
  serialNumber: string
  warrantyEnd?: string
  state: CoverageState
  /** Days left (0 on the last day); absent unless covered. */
  daysLeft?: number
}

export interface Coverage {
  /** Whether any registration of the contact is under warranty on `day`. */
  covered: boolean
  registrations: RegistrationCoverage[]
}

const DAY_MS = 86_400_000

/** The state of one warranty on a calendar day. */
export function warrantyState(warrantyEnd: string | undefined, day: string): CoverageState {
  if (!warrantyEnd) return 'unknown'
  return warrantyEnd >= day ? 'covered' : 'expired'
}

/** Coverage of a contact on `day` (`YYYY-MM-DD`), covered registrations first, then by warranty end. */
export function coverageOn(registrations: readonly RegistrationLike[], day: string): Coverage {
  const rank: Record<CoverageState, number> = { covered: 0, unknown: 1, expired: 2 }
  const items = registrations.map((r): RegistrationCoverage => {
    const state = warrantyState(r.warrantyEnd, day)
    return {
      registrationId: r.id,
      product: r.product,
      serialNumber: r.serialNumber,
      ...(r.warrantyEnd ? { warrantyEnd: r.warrantyEnd } : {}),
      state,
      ...(state === 'covered' && r.warrantyEnd
        ? { daysLeft: Math.round((Date.parse(r.warrantyEnd) - Date.parse(day)) / DAY_MS) }
        : {}),
    }
  })
  items.sort(
    (a, b) => rank[a.state] - rank[b.state] || (b.warrantyEnd ?? '').localeCompare(a.warrantyEnd ?? ''),
  )
  return { covered: items.some((i) => i.state === 'covered'), registrations: items }
}

/** Problems of a registration's dates: the warranty cannot end before the purchase. */
export function registrationProblems(input: {
  purchaseDate?: string | undefined
  warrantyEnd?: string | undefined
}): { field: string; code: string; message: string }[] {
  if (input.purchaseDate && input.warrantyEnd && input.warrantyEnd < input.purchaseDate)
    return [
      {
        field: 'warrantyEnd',
        code: 'before_purchase',
        message: 'The warranty cannot end before the purchase',
      },
    ]
  return []
}

/**
 * The folded form of a serial number for lookups: case, spaces, dashes and dots do not make a
 * different unit (`SN-12 34` is `sn1234`).
 */
export function foldSerial(serial: string): string {
  return serial
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-_.]+/g, '')
}

/** A new registration (version 1). */
export function buildRegistration(input: CreateRegistration, ctx: { id: string; now: string }): Registration {
  return {
    id: ctx.id,
    contactId: input.contactId,
    product: input.product,
    serialNumber: input.serialNumber,
    purchaseDate: input.purchaseDate,
    ...(input.warrantyEnd ? { warrantyEnd: input.warrantyEnd } : {}),
    ...(input.companyId ? { companyId: input.companyId } : {}),
    ...(input.notes ? { notes: input.notes } : {}),
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
}

/** A registration after a PATCH (`null` clears warrantyEnd or notes), version bumped. */
export function applyRegistrationPatch(
  current: Registration,
  patch: UpdateRegistration,
  now: string,
): Registration {
  const { warrantyEnd: _w, notes: _n, ...rest } = current
  const warrantyEnd = patch.warrantyEnd === null ? undefined : (patch.warrantyEnd ?? current.warrantyEnd)
  const notes = patch.notes === null ? undefined : (patch.notes ?? current.notes)
  return {
    ...rest,
    ...(patch.product !== undefined ? { product: patch.product } : {}),
    ...(patch.serialNumber !== undefined ? { serialNumber: patch.serialNumber } : {}),
    ...(patch.purchaseDate !== undefined ? { purchaseDate: patch.purchaseDate } : {}),
    ...(warrantyEnd ? { warrantyEnd } : {}),
    ...(notes ? { notes } : {}),
    version: current.version + 1,
    updatedAt: now,
  }
}
