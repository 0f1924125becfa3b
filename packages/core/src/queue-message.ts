/**
 * What a work message is, shared by the code that writes it into the outbox (`./outbox.ts`), the
 * code that sends it (`./queue.ts`) and the code that consumes it (`./worker.ts`): its limits and
 * the attribute carrying its stable id. A module of its own, without the SQS client, so that
 * writers and consumers do not bundle it.
 */

/**
 * Message attribute holding the id a message keeps however often it is sent: the outbox item's id.
 * SQS gives a message sent again a new MessageId, so consumers dedupe by this one.
 */
export const MESSAGE_ID_ATTRIBUTE = 'relay-message-id'

/**
 * Largest message sent, body and attributes together: 256 KiB, the MaximumMessageSize every queue
 * accepts whatever its default (SQS raised its ceiling to 1 MiB in 2025, but queues created before
 * keep 256 KiB).
 */
export const MAX_MESSAGE_BYTES = 262_144
/** SQS's longest delivery delay: 15 minutes. */
export const MAX_DELAY_SECONDS = 900

/** A message id fit for a dedupe key: no key separator, bounded length. */
const STABLE_ID = /^[A-Za-z0-9_-]{1,128}$/

/** True when `id` can serve as a message's stable id. */
export function isStableMessageId(id: unknown): id is string {
  return typeof id === 'string' && STABLE_ID.test(id)
}

/** Size of a message as SQS counts it: the body, and the id attribute's name, type and value. */
export function messageBytes(body: string, id?: string): number {
  const attribute =
    id === undefined ? 0 : MESSAGE_ID_ATTRIBUTE.length + 'String'.length + Buffer.byteLength(id)
  return Buffer.byteLength(body) + attribute
}

/** Throws unless `delaySeconds` is a whole number from 0 to 900 (or absent). */
export function checkDelaySeconds(delaySeconds: number | undefined): void {
  if (
    delaySeconds !== undefined &&
    (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS)
  )
    throw new RangeError(`delaySeconds must be a whole number from 0 to ${MAX_DELAY_SECONDS}`)
}
