/**
 * How long an event of another service waits for the contact it names, pure. A deal, ticket or
 * campaign email may name a contact that is not there yet (a converted lead's `Deal.Created`
 * travels beside the `Lead.Converted` that creates its contact; an email to an address imported a
 * minute later), one that was erased or merged away, another tenant's, or one that never existed:
 * the service cannot tell these apart when the event arrives. So the event is parked on the
 * `parked-activity` queue and looked at again later, the delay doubling from 5 seconds (the usual
 * case, a contact a few moments behind, resolves at once) up to SQS's 15-minute maximum, for at most
 * 24 hours (about 100 looks); then it is dropped with a log line.
 * Never a dead letter: a reference that does not resolve is a normal business situation.
 */

/** The parking bound. */
export const PARKING = {
  /** Delay before the first look again: a contact created by an event travelling beside this one is there by then. */
  firstDelaySeconds: 5,
  /** SQS's longest DelaySeconds. */
  maxDelaySeconds: 900,
  /** How long after it was first parked an event is still looked at. */
  maxParkedMs: 24 * 3600 * 1000,
  /** Looks at most, whatever the clock says (a guard against a message that keeps coming back early). */
  maxAttempts: 120,
} as const

/** What to do with an event whose contact is still missing, after `attempt` parkings. */
export type ParkingDecision =
  | { park: true; attempt: number; delaySeconds: number }
  | { park: false; reason: string }

/**
 * The next parking of an event first parked at `parkedAt` (ISO time) and parked `attempt` times
 * so far (0: not yet), or why it ends here.
 *
 * @example
 * nextParking({ parkedAt: now, attempt: 0 }, Date.parse(now)) // { park: true, attempt: 1, delaySeconds: 5 }
 */
export function nextParking(state: { parkedAt: string; attempt: number }, now: number): ParkingDecision {
  const parkedFor = now - Date.parse(state.parkedAt)
  if (state.attempt >= PARKING.maxAttempts) {
    return { park: false, reason: `still no contact after ${state.attempt} looks` }
  }
  if (!(parkedFor < PARKING.maxParkedMs)) {
    return { park: false, reason: `still no contact after ${Math.round(parkedFor / 3600_000)} hours` }
  }
  const delaySeconds = Math.min(PARKING.maxDelaySeconds, PARKING.firstDelaySeconds * 2 ** state.attempt)
  return { park: true, attempt: state.attempt + 1, delaySeconds }
}
