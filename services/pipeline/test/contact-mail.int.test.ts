/**
 * The projection of contacts' emails on DynamoDB Local: Contact.Updated moves it (and engagement
 * follows), out-of-order and concurrent deliveries end on the newest version, erasure and merge
 * leave tombstones no late event refills.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { emailFingerprint as fp } from '../src/domain/engagement.js'
import { handler as onContactCreated } from '../src/handlers/on-contact-created.js'
import { handler as onContactErased } from '../src/handlers/on-contact-erased.js'
import { handler as onContactMerged } from '../src/handlers/on-contact-merged.js'
import { handler as onContactUpdated } from '../src/handlers/on-contact-updated.js'
import { handler as onEngagement } from '../src/handlers/on-engagement.js'
import { manifest } from '../src/service.js'
import { contactFingerprints, getContactMail } from '../src/store/contacts.js'
import { getLead, intakeLead } from '../src/store/leads.js'
import { contactData, interactionData } from './helpers.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const NOW = '2026-11-01T00:00:00.000Z'
const T = `t-${newId().slice(-8).toLowerCase()}`

const event = (detailType: string, data: unknown) =>
  busEvent({ source: 'crm.contacts', detailType, data, tenantId: T, occurredAt: NOW, correlationId: 'corr' })

const emails = (...addresses: string[]) => addresses.map((address, i) => ({ address, primary: i === 0 }))
const created = (id: string, ...addresses: string[]) =>
  event('Contact.Created', contactData({ id, emails: emails(...addresses) }))
const updated = (id: string, version: number, before: string[], after: string[]) =>
  event('Contact.Updated', {
    id,
    version,
    changes: { emails: { before: emails(...before), ...(after.length ? { after: emails(...after) } : {}) } },
  })

describe('contact email projection on DynamoDB Local', () => {
  let table: string

  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  it('Contact.Updated moves the fingerprints, and an interaction on the contact now credits the lead with the new email', async () => {
    // Prepare: a lead with the contact's old email, one with its new email
    const ctx = { userId: 'u-1', correlationId: 'c' }
    const oldLead = await intakeLead(T, { lastName: 'Old', email: 'ana@old.example', source: 'web' }, ctx)
    const newLead = await intakeLead(T, { lastName: 'New', email: 'ana@new.example', source: 'web' }, ctx)
    const contactId = newId()
    await onContactCreated(created(contactId, 'ana@old.example'))
    // Act
    const change = updated(contactId, 2, ['ana@old.example'], ['Ana@New.example'])
    await onContactUpdated(change)
    await onContactUpdated(change) // redelivered: no second write, no error
    await onEngagement(event('Interaction.Logged', interactionData({ id: newId(), contactId, type: 'call' })))
    // Assess
    expect(await getContactMail(T, contactId)).toEqual({
      contactId,
      fingerprints: [fp('ana@new.example')],
      version: 2,
    })
    expect((await getLead(T, newLead.id))?.engagementScore).toBe(6)
    expect((await getLead(T, oldLead.id))?.engagementScore).toBeUndefined()
  })

  it('out of order: the newest version wins whatever arrives last, Contact.Created included', async () => {
    const contactId = newId()
    await onContactUpdated(updated(contactId, 3, ['b@x.example'], ['c@x.example']))
    await onContactUpdated(updated(contactId, 2, ['a@x.example'], ['b@x.example']))
    await onContactCreated(created(contactId, 'a@x.example'))
    expect(await getContactMail(T, contactId)).toMatchObject({
      fingerprints: [fp('c@x.example')],
      version: 3,
    })

    // Emails cleared (v4), then a late v3: still empty
    await onContactUpdated(updated(contactId, 4, ['c@x.example'], []))
    await onContactUpdated(updated(contactId, 3, ['b@x.example'], ['c@x.example']))
    expect(await getContactMail(T, contactId)).toMatchObject({ fingerprints: [], version: 4 })
  })

  it('concurrent updates: the loser of the race throws, its redelivery rereads, the newest version stays', async () => {
    const contactId = newId()
    await onContactCreated(created(contactId, 'a@y.example'))
    const v2 = updated(contactId, 2, ['a@y.example'], ['b@y.example'])
    const v3 = updated(contactId, 3, ['b@y.example'], ['c@y.example'])
    const results = await Promise.allSettled([onContactUpdated(v3), onContactUpdated(v2)])
    // Redeliver what failed (the bus would)
    for (const [i, r] of results.entries())
      if (r.status === 'rejected') await onContactUpdated(i === 0 ? v3 : v2)
    expect(await getContactMail(T, contactId)).toMatchObject({
      fingerprints: [fp('c@y.example')],
      version: 3,
    })
  })

  it('a projection from before versions were kept is replaced and gets its version', async () => {
    const contactId = newId()
    await documentClient().send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: `T#${T}#CONTACTMAIL#${contactId}`,
          sk: 'CONTACTMAIL',
          kind: 'contactmail',
          fingerprints: [fp('legacy@z.example')],
        },
      }),
    )
    expect(await getContactMail(T, contactId)).toMatchObject({ version: 0 })
    await onContactUpdated(updated(contactId, 2, ['legacy@z.example'], ['now@z.example']))
    expect(await getContactMail(T, contactId)).toMatchObject({
      fingerprints: [fp('now@z.example')],
      version: 2,
    })
  })

  it('an erased contact keeps a tombstone: a late update or creation brings no email back', async () => {
    const contactId = newId()
    await onContactCreated(created(contactId, 'gone@e.example'))
    await onContactErased(event('Contact.Erased', { id: contactId, version: 2 }))
    await onContactUpdated(updated(contactId, 5, [], ['back@e.example']))
    await onContactCreated(created(contactId, 'gone@e.example'))
    expect(await getContactMail(T, contactId)).toMatchObject({ fingerprints: [], gone: 'erased' })
    expect(await contactFingerprints(T, contactId)).toEqual([])
  })

  it('a merge gives the survivor the merged emails and tombstones the absorbed contact', async () => {
    const keep = newId()
    const dup = newId()
    await onContactCreated(created(keep, 'keep@m.example'))
    await onContactCreated(created(dup, 'dup@m.example'))
    await onContactMerged(
      event('Contact.Merged', {
        id: keep,
        version: 2,
        sourceId: dup,
        changes: {
          emails: { before: emails('keep@m.example'), after: emails('keep@m.example', 'dup@m.example') },
        },
      }),
    )
    // A late update of the survivor from before the merge changes nothing; nor one of the absorbed contact
    await onContactUpdated(updated(keep, 1, [], ['early@m.example']))
    await onContactUpdated(updated(dup, 7, ['dup@m.example'], ['other@m.example']))
    expect(await contactFingerprints(T, keep)).toEqual([fp('keep@m.example'), fp('dup@m.example')])
    expect(await getContactMail(T, dup)).toMatchObject({ fingerprints: [], gone: 'merged' })
  })
})
