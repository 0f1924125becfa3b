/**
 * This service's projection of a contact's emails, pure: which fingerprints a contact has at which
 * contact version, and whether an event's statement of them is newer than what is kept.
 *
 * Contacts events are delivered at least once and in any order. Every event that names a contact's
 * emails names all of them (`Contact.Created` the contact, `Contact.Updated` / `Contact.Merged`
 * `changes.emails.after`), so the projection is replaced, never patched, and only by a statement of a
 * newer version. An erased or merged-away contact keeps a tombstone that nothing overwrites, so a late
 * event cannot bring its emails back.
 */
import { emailFingerprint } from './engagement.js'

/** What the pipeline keeps of a contact's emails (fingerprints only, never the addresses). */
export interface ContactMail {
  contactId: string
  fingerprints: string[]
  /**
   * The contact version the fingerprints are of. `0` for an item written before versions were
   * kept (it came from `Contact.Created`, so any later version replaces it).
   */
  version: number
  /** Set when the contact was erased, deleted or merged into another: the projection stays empty for good. */
  gone?: ContactGone
  /** The contact that absorbed this one (when `gone` is `merged`). */
  mergedInto?: string
}

/** How a contact left: each leaves a tombstone that no late event overwrites. */
export type ContactGone = 'erased' | 'merged' | 'deleted'

/** A contact's complete set of email fingerprints as of a version. */
export interface ContactMailState {
  version: number
  fingerprints: string[]
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object'

/**
 * Fingerprints of a contact's emails, read defensively: `[{ address }]` (the contract) or plain
 * strings; anything without an `@` is skipped; case variants of one address count once.
 *
 * @example
 * fingerprintsOf([{ address: 'Ann@x.io' }, { address: 'ann@X.io' }]) // [emailFingerprint('ann@x.io')]
 */
export function fingerprintsOf(emails: unknown): string[] {
  if (!Array.isArray(emails)) return []
  const out = new Set<string>()
  for (const e of emails) {
    const address = isRecord(e) ? e.address : e
    if (typeof address === 'string' && address.includes('@')) out.add(emailFingerprint(address))
  }
  return [...out]
}

/**
 * The emails a `Contact.Updated` / `Contact.Merged` states, from its `changes`: undefined when the
 * emails did not change (the event says nothing about them); `after` absent means they were cleared.
 *
 * @example
 * emailsStated({ emails: { before: [{ address: 'a@x.io' }], after: [{ address: 'b@x.io' }] } }, 3)
 * // { version: 3, fingerprints: [emailFingerprint('b@x.io')] }
 */
export function emailsStated(changes: unknown, version: number): ContactMailState | undefined {
  if (!isRecord(changes) || !isRecord(changes.emails)) return undefined
  return { version, fingerprints: fingerprintsOf(changes.emails.after) }
}

/**
 * The projection after an event stated the contact's emails, or undefined when there is nothing to
 * write: the contact is gone, or what is kept is of the same or a newer version (a redelivery, or an
 * older event arriving late). An unknown contact gets its projection (as `Contact.Created` gives it),
 * even with no emails, so that an older event arriving later cannot write stale ones.
 */
export function nextContactMail(
  contactId: string,
  current: ContactMail | undefined,
  stated: ContactMailState,
): ContactMail | undefined {
  if (current?.gone) return undefined
  if (current && current.version >= stated.version) return undefined
  return { contactId, fingerprints: [...stated.fingerprints], version: stated.version }
}

/**
 * The tombstone of a contact that was erased, deleted, or merged into another (`mergedInto`, whose
 * projection holds its emails).
 */
export function contactMailGone(
  contactId: string,
  version: number,
  gone: ContactGone,
  mergedInto?: string,
): ContactMail {
  return { contactId, fingerprints: [], version, gone, ...(mergedInto ? { mergedInto } : {}) }
}

/**
 * Whether a deal or activity may point at a contact, from what the projection holds (contacts'
 * events arrive with a delay, so a contact created a moment ago may not be projected yet):
 * unknown → accepted (contacts' own subscribers park what refers to a contact they do not have
 * yet, within their bound); gone → refused, naming the survivor of a merge.
 */
export function contactReferenceProblem(
  field: string,
  projected: ContactMail | undefined,
): { field: string; code: string; message: string } | undefined {
  if (!projected?.gone) return undefined
  if (projected.gone === 'merged')
    return {
      field,
      code: 'contact_merged',
      message: projected.mergedInto
        ? `This contact was merged into ${projected.mergedInto}; use that id`
        : 'This contact was merged into another one',
    }
  return { field, code: 'contact_gone', message: `This contact was ${projected.gone}` }
}
