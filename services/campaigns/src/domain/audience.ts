/**
 * The audience projection, pure: what campaigns keeps of each contact (to target and address them)
 * and how each contacts event changes it. No AWS, no I/O: the store reads the record, calls one of
 * these, and writes what comes back.
 *
 * Events arrive at least once and in any order. Every field remembers the contact version that set
 * it (`versions`), and an event only changes the fields it is newer for: `Contact.Created` (the
 * whole contact at its version) fills only fields no later update has set, a late `Contact.Updated`
 * changes nothing a newer one already set, and a deletion leaves a tombstone that every older (or
 * later-arriving) event bounces off. So any delivery order ends in the same record.
 */
import { SEGMENT_FIELDS } from '@relay/contracts/campaigns'
import type { ConsentChannel, Contact } from '@relay/contracts/contacts'

export type ConsentStatus = 'granted' | 'denied' | 'withdrawn'
export type EngagementKind = 'sent' | 'opened' | 'clicked'

/** The text fields of a contact campaigns keeps as they are: those a segment can test, but the address. */
export const TEXT_FIELDS = SEGMENT_FIELDS.filter(
  (f): f is Exclude<(typeof SEGMENT_FIELDS)[number], 'email'> => f !== 'email',
)
type TextField = (typeof TEXT_FIELDS)[number]

/** One contact as campaigns knows it. */
export interface AudienceRecord {
  contactId: string
  /** The primary address, lower-cased (absent: the contact has none, so no email reaches them). */
  email?: string
  firstName?: string
  lastName?: string
  displayName?: string
  companyName?: string
  jobTitle?: string
  source?: string
  channel?: string
  ownerId?: string
  tags: string[]
  lifecycleStage?: string
  tier?: string
  customFields?: Record<string, unknown>
  consent: Partial<Record<ConsentChannel, ConsentStatus>>
  /** Contact version that last set each field (`consent.<channel>` per channel). */
  versions: Record<string, number>
  /** Set once the contact is gone: nothing older or later brings it back. */
  deleted?: { version: number; erased: boolean; mergedInto?: string }
  /** When campaigns last sent to, saw an open of, saw a click of this contact (ISO). */
  engagement: Partial<Record<EngagementKind, string>>
}

/** A record with nothing projected yet. */
export const emptyRecord = (contactId: string): AudienceRecord => ({
  contactId,
  tags: [],
  consent: {},
  versions: {},
  engagement: {},
})

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** The contact's primary address (else its first), lower-cased. */
export function primaryEmail(emails: unknown): string | undefined {
  if (!Array.isArray(emails)) return undefined
  const list = emails.filter(isObj)
  const chosen = list.find((e) => e.primary === true) ?? list[0]
  return str(chosen?.address)?.trim().toLowerCase()
}

const CONSENT_STATUSES = new Set<string>(['granted', 'denied', 'withdrawn'])

/** `{ email: { status: 'granted', ... }, sms: ... }` → `{ email: 'granted', ... }`. */
function consentStatuses(consent: unknown): Partial<Record<ConsentChannel, ConsentStatus>> {
  const out: Partial<Record<ConsentChannel, ConsentStatus>> = {}
  if (!isObj(consent)) return out
  for (const [channel, record] of Object.entries(consent)) {
    const status = isObj(record) ? record.status : undefined
    if (typeof status === 'string' && CONSENT_STATUSES.has(status))
      out[channel as ConsentChannel] = status as ConsentStatus
  }
  return out
}

const CHANNELS: readonly ConsentChannel[] = ['email', 'sms', 'phone']

/**
 * Sets one projected field from a contact field's value, if `version` is newer than what set it.
 * `field` is the contact's field name (`emails`, `consent`, `tags`...); fields campaigns does not
 * keep are ignored.
 */
function setField(rec: AudienceRecord, field: string, value: unknown, version: number): boolean {
  const newer = (key: string) => (rec.versions[key] ?? 0) < version
  const stamp = (key: string) => {
    rec.versions[key] = version
  }
  switch (field) {
    case 'emails': {
      if (!newer('email')) return false
      const email = primaryEmail(value)
      if (email) rec.email = email
      else delete rec.email
      stamp('email')
      return true
    }
    case 'tags': {
      if (!newer('tags')) return false
      rec.tags = Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : []
      stamp('tags')
      return true
    }
    case 'customFields': {
      if (!newer('customFields')) return false
      if (isObj(value) && Object.keys(value).length) rec.customFields = { ...value }
      else delete rec.customFields
      stamp('customFields')
      return true
    }
    case 'consent': {
      // The whole map (a merge can change it): each channel on its own version.
      const statuses = consentStatuses(value)
      let changed = false
      for (const channel of CHANNELS)
        changed = setConsent(rec, channel, statuses[channel], version) || changed
      return changed
    }
    case 'lifecycleStage':
    case 'tier':
    case 'firstName':
    case 'lastName':
    case 'displayName':
    case 'companyName':
    case 'jobTitle':
    case 'source':
    case 'channel':
    case 'ownerId': {
      if (!newer(field)) return false
      const text = str(value)
      if (text !== undefined) rec[field as TextField | 'lifecycleStage' | 'tier'] = text
      else delete rec[field as TextField | 'lifecycleStage' | 'tier']
      stamp(field)
      return true
    }
    default:
      return false
  }
}

function setConsent(
  rec: AudienceRecord,
  channel: ConsentChannel,
  status: ConsentStatus | undefined,
  version: number,
): boolean {
  const key = `consent.${channel}`
  if ((rec.versions[key] ?? 0) >= version) return false
  if (status) rec.consent[channel] = status
  else delete rec.consent[channel]
  rec.versions[key] = version
  return true
}

const clone = (rec: AudienceRecord): AudienceRecord => ({
  ...rec,
  tags: [...rec.tags],
  consent: { ...rec.consent },
  versions: { ...rec.versions },
  engagement: { ...rec.engagement },
  ...(rec.customFields ? { customFields: { ...rec.customFields } } : {}),
})

/** The fields `Contact.Created` sets: every kept field, present or not (absent clears). */
const CREATED_FIELDS = [
  'emails',
  ...TEXT_FIELDS,
  'tags',
  'lifecycleStage',
  'tier',
  'customFields',
  'consent',
] as const

/**
 * `Contact.Created`: the whole contact at its version. `undefined` when nothing changes (a
 * redelivery, or every field already set by a newer update, or the contact is gone).
 */
export function onCreated(
  current: AudienceRecord | undefined,
  contact: Pick<Contact, 'id' | 'version'> & Partial<Contact>,
): AudienceRecord | undefined {
  const rec = clone(current ?? emptyRecord(contact.id))
  if (rec.deleted) return undefined
  let changed = false
  for (const field of CREATED_FIELDS)
    changed = setField(rec, field, (contact as Obj)[field], contact.version) || changed
  return changed ? rec : undefined
}

/**
 * `Contact.Updated` / `Contact.Merged`: each changed field with its value after, at the contact's
 * new version. A field whose `after` is absent was cleared.
 */
export function onChanged(
  current: AudienceRecord | undefined,
  id: string,
  version: number,
  changes: Record<string, { after?: unknown }>,
): AudienceRecord | undefined {
  const rec = clone(current ?? emptyRecord(id))
  if (rec.deleted) return undefined
  let changed = false
  for (const [field, change] of Object.entries(changes))
    changed = setField(rec, field, change?.after, version) || changed
  return changed ? rec : undefined
}

/** `Contact.ConsentChanged`: one channel's status at the contact's new version. */
export function onConsentChanged(
  current: AudienceRecord | undefined,
  id: string,
  version: number,
  channel: ConsentChannel,
  status: ConsentStatus,
): AudienceRecord | undefined {
  const rec = clone(current ?? emptyRecord(id))
  if (rec.deleted) return undefined
  return setConsent(rec, channel, status, version) ? rec : undefined
}

/**
 * `Contact.Deleted` / `Contact.Erased`: a tombstone without personal data. A merged-away contact's
 * engagement stays on it (the target takes it over, whichever of the two events comes first); an
 * erasure drops that too. `undefined` when the tombstone is already there as it would be.
 */
export function onDeleted(
  current: AudienceRecord | undefined,
  id: string,
  opts: { version?: number | undefined; erased: boolean; mergedInto?: string | undefined },
): AudienceRecord | undefined {
  const was = current?.deleted
  const erased = opts.erased || was?.erased === true
  const mergedInto = opts.mergedInto ?? was?.mergedInto
  if (was && was.erased === erased && was.mergedInto === mergedInto) return undefined
  const keepEngagement = !erased && mergedInto !== undefined
  return {
    ...emptyRecord(id),
    // No version: the last one is unknown, so no event of this contact can outrank the tombstone.
    versions: {},
    engagement: keepEngagement ? { ...(current?.engagement ?? {}) } : {},
    deleted: {
      version: Math.max(opts.version ?? Number.MAX_SAFE_INTEGER, was?.version ?? 0),
      erased,
      ...(mergedInto ? { mergedInto } : {}),
    },
  }
}

/** The later of two engagement timestamps per kind: a merge keeps both contacts' history. */
export function mergeEngagement(
  a: AudienceRecord['engagement'],
  b: AudienceRecord['engagement'],
): AudienceRecord['engagement'] {
  const out: AudienceRecord['engagement'] = { ...a }
  for (const kind of ['sent', 'opened', 'clicked'] as const) {
    // ISO timestamps of one format compare as text.
    const later =
      [a[kind], b[kind]].filter((t): t is string => t !== undefined).sort()[1] ?? a[kind] ?? b[kind]
    if (later) out[kind] = later
  }
  return out
}

/** True when `b` adds a later timestamp to `a` for some kind. */
export function engagementGains(a: AudienceRecord['engagement'], b: AudienceRecord['engagement']): boolean {
  return (['sent', 'opened', 'clicked'] as const).some((k) => {
    const y = b[k]
    return y !== undefined && (a[k] === undefined || y > (a[k] as string))
  })
}

/** Why a member of the audience gets no campaign email, if they get none. */
export type Unreachable = 'deleted' | 'noEmail' | 'noConsent'

/**
 * Whether campaign email may go to this contact at all (before the suppression list): a live
 * contact with an address and email consent `granted` (anything else, never recorded included, is
 * no consent).
 */
export function unreachable(rec: AudienceRecord): Unreachable | undefined {
  if (rec.deleted) return 'deleted'
  if (!rec.email) return 'noEmail'
  if (rec.consent.email !== 'granted') return 'noConsent'
  return undefined
}
