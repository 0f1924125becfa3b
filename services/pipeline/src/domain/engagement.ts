/** Engagement learned from other services' events, pure: points per event, email fingerprints. */
import { createHash } from 'node:crypto'

/** Points per interaction type (`Interaction.Logged`); other types earn `other`. */
export const INTERACTION_POINTS: Readonly<Record<string, number>> = {
  meeting: 10,
  call: 6,
  email: 3,
  other: 2,
}
/** Points per campaign event (source crm.campaigns). */
export const CAMPAIGN_POINTS: Readonly<Record<string, number>> = { 'Email.Opened': 1, 'Email.Clicked': 3 }

/** Who an engagement event is about, read defensively from data whose contract may not exist yet. */
export interface EngagementTarget {
  points: number
  leadId?: string
  contactId?: string
  email?: string
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined)

/** Points and target of an event, or undefined when it names nobody or earns nothing. */
export function engagementOf(detailType: string, data: unknown): EngagementTarget | undefined {
  const d = (data !== null && typeof data === 'object' ? data : {}) as Record<string, unknown>
  const points =
    detailType === 'Interaction.Logged'
      ? (INTERACTION_POINTS[String(d.type)] ?? INTERACTION_POINTS.other ?? 0)
      : (CAMPAIGN_POINTS[detailType] ?? 0)
  const leadId = str(d.leadId)
  const contactId = str(d.contactId)
  const email = str(d.email)
  if (points <= 0 || (!leadId && !contactId && !email)) return undefined
  return {
    points,
    ...(leadId ? { leadId } : {}),
    ...(contactId ? { contactId } : {}),
    ...(email ? { email } : {}),
  }
}

/**
 * A fingerprint of an email address for lookup keys (sha-256 of the trimmed, lower-cased address),
 * so keys never hold the address itself.
 */
export function emailFingerprint(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url')
}
