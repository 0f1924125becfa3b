import { newId } from '@relay/core/ids'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { buildForm } from '../src/domain/forms.js'
import { handler as submitForm } from '../src/handlers/submit-form.js'
import { manifest } from '../src/service.js'
import { openLeadCount } from '../src/store/assignment.js'
import { createForm, deleteForm, getForm, takeFormSlot, tenantOfForm } from '../src/store/forms.js'
import { getLead, intakeLead, listLeads } from '../src/store/leads.js'
import { putLeadAssignment } from '../src/store/settings.js'
import { context, httpEvent, parse } from './helpers.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const NOW = '2026-11-01T00:00:00.000Z'
const tenant = () => `t-${newId().slice(-8).toLowerCase()}`

describe('web-to-lead and assignment on DynamoDB Local', () => {
  let table: string

  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  it('17, 19: a form is found by id alone through its ref, only in its tenant, and gone with it', async () => {
    // Prepare
    const t = tenant()
    const form = buildForm(
      { name: 'Contact', fields: [{ name: 'n', maps: 'lastName' }] },
      { id: newId(), userId: 'u-1', now: NOW, publicKey: 'k' },
    )
    // Act
    await createForm(t, form)
    // Assess
    expect(await tenantOfForm(form.id)).toBe(t)
    expect(await getForm(t, form.id)).toEqual(form)
    expect(await getForm(tenant(), form.id)).toBeUndefined()
    await deleteForm(t, form.id, 1)
    expect(await tenantOfForm(form.id)).toBeUndefined()
    expect(await getForm(t, form.id)).toBeUndefined()
  })

  it('a public submission retried with the same Idempotency-Key makes one lead; the retry is a replay', async () => {
    // Prepare: a form of tenant t
    const t = tenant()
    const form = buildForm(
      { name: 'Contact', fields: [{ name: 'full_name', maps: 'lastName', required: true }] },
      { id: newId(), userId: 'u-1', now: NOW, publicKey: 'k' },
    )
    await createForm(t, form)
    const submit = (body: unknown, key: string) =>
      submitForm(
        httpEvent({
          method: 'POST',
          path: `/public/forms/${form.id}/submissions`,
          params: { formId: form.id },
          body,
          headers: { 'x-form-key': 'k', 'idempotency-key': key },
        }),
        context,
      ).then(parse)
    // Act: the same submission twice, then the key reused for another body
    const first = await submit({ full_name: 'Lee' }, 'form-retry-1')
    const again = await submit({ full_name: 'Lee' }, 'form-retry-1')
    const other = await submit({ full_name: 'Someone else' }, 'form-retry-1')
    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(202)
    expect(again.status).toBe(202)
    expect(again.body).toEqual(first.body)
    expect(other.status).toBeGreaterThanOrEqual(409)
    expect(other.status).toBeLessThan(500)
    const leads = await listLeads(t, {})
    expect(leads.items.map((l) => l.id)).toEqual([first.body.leadId])
  })

  it('20: the fixed window lets exactly `limit` submissions through, even concurrently', async () => {
    const t = tenant()
    const formId = newId()
    const now = Date.parse('2026-11-01T10:00:30Z')
    const taken = await Promise.all(Array.from({ length: 8 }, () => takeFormSlot(t, formId, now, 5)))
    expect(taken.filter(Boolean)).toHaveLength(5)
    // The next minute is a new window.
    expect(await takeFormSlot(t, formId, now + 60_000, 5)).toBe(true)
  })

  it('21: 30 concurrent creates over a round-robin team of 3 → 10 leads each, with Lead.Assigned', async () => {
    // Prepare
    const t = tenant()
    const members = ['u-ana', 'u-ben', 'u-cy']
    await putLeadAssignment(
      t,
      {
        teams: [{ id: 'sales', strategy: 'round_robin', members }],
        rules: [],
        defaultTeam: 'sales',
        version: 1,
      },
      0,
    )
    // Act
    const leads = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        intakeLead(t, { lastName: `Lead ${i}`, source: 'web' }, { userId: 'u-api', correlationId: `c${i}` }),
      ),
    )
    // Assess
    const per = new Map<string, number>()
    for (const l of leads) per.set(l.ownerId, (per.get(l.ownerId) ?? 0) + 1)
    expect(Object.fromEntries(per)).toEqual({ 'u-ana': 10, 'u-ben': 10, 'u-cy': 10 })
    expect((await getLead(t, leads[0]!.id))?.ownerId).toBe(leads[0]!.ownerId)
    // 22: the open load the lowest-load strategy reads
    expect(await Promise.all(members.map((m) => openLeadCount(t, m)))).toEqual([10, 10, 10])
  })

  it('22: lowest load sends a new lead to the member with the fewest open leads', async () => {
    const t = tenant()
    await putLeadAssignment(
      t,
      {
        teams: [{ id: 'apac', strategy: 'lowest_load', members: ['u-chen', 'u-dao'] }],
        rules: [{ field: 'territory', values: ['APAC'], team: 'apac' }],
        version: 1,
      },
      0,
    )
    for (let i = 0; i < 2; i++)
      await intakeLead(
        t,
        { lastName: 'x', source: 'web', ownerId: 'u-chen' },
        { userId: 'u', correlationId: 'c' },
      )
    const lead = await intakeLead(
      t,
      { lastName: 'y', source: 'web', territory: 'apac' },
      { userId: 'u', correlationId: 'c' },
    )
    expect(lead.ownerId).toBe('u-dao')
  })
})
