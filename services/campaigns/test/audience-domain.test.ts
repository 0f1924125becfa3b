/**
 * The audience projection's rules (domain/audience.ts): what each contacts event changes, and that
 * any delivery order, with duplicates, ends in the same record.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AudienceRecord,
  mergeEngagement,
  onChanged,
  onConsentChanged,
  onCreated,
  onDeleted,
  primaryEmail,
  unreachable,
} from '../src/domain/audience.js'

const ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'
const consent = (status: string) => ({
  status,
  at: '2026-01-01T00:00:00.000Z',
  source: 'form',
  legalBasis: 'consent',
})
const contact = {
  id: ID,
  version: 1,
  firstName: 'Ann',
  displayName: 'Ann',
  emails: [
    { address: 'other@x.io', primary: false },
    { address: 'Ann@Acme.IO', primary: true },
  ],
  tags: ['vip'],
  lifecycleStage: 'lead' as const,
  customFields: { plan: 'pro' },
}

type Ev =
  | { kind: 'created'; data: typeof contact }
  | { kind: 'changed'; version: number; changes: Record<string, { after?: unknown }> }
  | { kind: 'consent'; version: number; status: 'granted' | 'withdrawn' }
  | { kind: 'deleted'; version: number }

const apply = (rec: AudienceRecord | undefined, e: Ev): AudienceRecord | undefined => {
  const next =
    e.kind === 'created'
      ? onCreated(rec, e.data)
      : e.kind === 'changed'
        ? onChanged(rec, ID, e.version, e.changes)
        : e.kind === 'consent'
          ? onConsentChanged(rec, ID, e.version, 'email', e.status)
          : onDeleted(rec, ID, { version: e.version, erased: false })
  return next ?? rec
}
const replay = (events: readonly Ev[]) => events.reduce<AudienceRecord | undefined>(apply, undefined)

describe('audience projection', () => {
  it('keeps from Contact.Created what campaigns targets and addresses: the primary email lower-cased', () => {
    const rec = onCreated(undefined, { ...contact, consent: { email: consent('granted') } })!
    expect(rec).toMatchObject({
      contactId: ID,
      email: 'ann@acme.io',
      firstName: 'Ann',
      tags: ['vip'],
      lifecycleStage: 'lead',
      customFields: { plan: 'pro' },
      consent: { email: 'granted' },
    })
    expect(unreachable(rec)).toBeUndefined()
    expect(primaryEmail([{ address: 'B@x.io', primary: false }])).toBe('b@x.io')
    expect(primaryEmail([])).toBeUndefined()
  })

  it('needs email consent granted and an address: never recorded, withdrawn or no email is unreachable', () => {
    const rec = onCreated(undefined, contact)!
    expect(unreachable(rec)).toBe('noConsent')
    expect(unreachable(onConsentChanged(rec, ID, 2, 'email', 'withdrawn')!)).toBe('noConsent')
    const granted = onConsentChanged(rec, ID, 2, 'email', 'granted')!
    expect(unreachable(granted)).toBeUndefined()
    expect(unreachable(onChanged(granted, ID, 3, { emails: {} })!)).toBe('noEmail')
    expect(unreachable(onDeleted(granted, ID, { version: 4, erased: false })!)).toBe('deleted')
  })

  it('ignores an update older than what set the field, and a redelivery changes nothing', () => {
    const v3 = onChanged(onCreated(undefined, contact), ID, 3, { tags: { after: ['new'] } })!
    expect(onChanged(v3, ID, 2, { tags: { after: ['old'] } })).toBeUndefined()
    expect(onChanged(v3, ID, 3, { tags: { after: ['new'] } })).toBeUndefined()
    // An older update of another field still lands: versions are per field.
    expect(onChanged(v3, ID, 2, { firstName: { after: 'Annie' } })?.firstName).toBe('Annie')
  })

  it('a Created arriving after updates fills only the fields no update set', () => {
    const early = onChanged(undefined, ID, 3, { firstName: {}, tags: { after: ['late'] } })!
    const rec = onCreated(early, contact)!
    expect(rec.firstName).toBeUndefined()
    expect(rec.tags).toEqual(['late'])
    expect(rec.email).toBe('ann@acme.io')
  })

  it('a deletion leaves a tombstone nothing brings back; an erasure drops the engagement too', () => {
    const live = { ...onCreated(undefined, contact)!, engagement: { opened: '2026-01-01T00:00:00.000Z' } }
    const gone = onDeleted(live, ID, { version: 2, erased: false })!
    expect(gone.email).toBeUndefined()
    expect(gone.engagement).toEqual({})
    expect(onCreated(gone, contact)).toBeUndefined()
    expect(onChanged(gone, ID, 9, { tags: { after: ['x'] } })).toBeUndefined()
    const merged = onDeleted(live, ID, { version: 2, erased: false, mergedInto: 'T' })!
    expect(merged.engagement.opened).toBe('2026-01-01T00:00:00.000Z')
    const erased = onDeleted(merged, ID, { version: 2, erased: true })!
    expect(erased.deleted).toMatchObject({ erased: true })
    expect(erased.engagement).toEqual({})
    expect(onDeleted(erased, ID, { version: 2, erased: true })).toBeUndefined()
  })

  it('merges engagement to the later timestamp per kind', () => {
    expect(
      mergeEngagement(
        { opened: '2026-01-02T00:00:00.000Z', sent: '2026-01-01T00:00:00.000Z' },
        { opened: '2026-01-01T00:00:00.000Z', clicked: '2026-01-03T00:00:00.000Z' },
      ),
    ).toEqual({
      opened: '2026-01-02T00:00:00.000Z',
      sent: '2026-01-01T00:00:00.000Z',
      clicked: '2026-01-03T00:00:00.000Z',
    })
  })

  // A contact's history as contacts emits it, versions 1..n, then delivered shuffled and duplicated.
  const history = fc
    .array(
      fc.oneof(
        fc.record({
          field: fc.constantFrom('tags', 'firstName', 'emails', 'lifecycleStage', 'customFields'),
          value: fc.integer({ min: 0, max: 3 }),
          cleared: fc.boolean(),
        }),
        fc.record({ consent: fc.constantFrom('granted' as const, 'withdrawn' as const) }),
      ),
      { maxLength: 8 },
    )
    .chain((steps) => {
      const events: Ev[] = [{ kind: 'created', data: contact }]
      steps.forEach((s, i) => {
        const version = i + 2
        if ('consent' in s) events.push({ kind: 'consent', version, status: s.consent })
        else {
          const after =
            s.field === 'tags'
              ? [`t${s.value}`]
              : s.field === 'emails'
                ? [{ address: `a${s.value}@x.io`, primary: true }]
                : s.field === 'customFields'
                  ? { plan: `p${s.value}` }
                  : s.field === 'lifecycleStage'
                    ? ['lead', 'customer', 'evangelist', 'other'][s.value]
                    : `Name${s.value}`
          events.push({ kind: 'changed', version, changes: { [s.field]: s.cleared ? {} : { after } } })
        }
      })
      return fc.tuple(fc.constant(events), fc.boolean())
    })
    .chain(([events, deleted]) => {
      const all = deleted ? [...events, { kind: 'deleted' as const, version: events.length + 1 }] : events
      return fc.tuple(
        fc.constant(all),
        fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
        fc.array(fc.constantFrom(...all), { maxLength: 4 }),
      )
    })

  it('ends in the same record for any delivery order, with duplicates', () => {
    fc.assert(
      fc.property(history, ([inOrder, shuffled, duplicates]) => {
        const expected = replay(inOrder)
        const got = replay([...shuffled, ...duplicates])
        expect(got).toEqual(expected)
      }),
      { numRuns: 400 },
    )
  })
})
