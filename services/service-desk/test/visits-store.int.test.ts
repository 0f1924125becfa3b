import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import type { BookVisit } from '@relay/contracts/service-desk-field'
import { documentClient } from '@relay/core/ddb'
import { newId, nowIso } from '@relay/core/ids'
import { StaleVersion } from '@relay/core/outcomes'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { buildRegistration, coverageOn } from '../src/domain/registration.js'
import { applyVisitPatch, buildVisit, resolveWindow, TechnicianBooked } from '../src/domain/visit.js'
import { manifest } from '../src/service.js'
import {
  contactRegistrations,
  getRegistration,
  insertRegistration,
  listRegistrations,
  repointRegistrations,
} from '../src/store/registrations.js'
import {
  bookVisit,
  changeVisit,
  eraseVisits,
  getVisit,
  listVisits,
  repointVisits,
} from '../src/store/visits.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const NOW = Date.parse('2026-06-01T00:00:00Z')

const booking = (tech: string, start: string, end: string): BookVisit => ({
  technicianId: tech,
  window: { start, end, timeZone: 'Europe/Berlin' },
  address: { line1: 'Torstraße 12', city: 'Berlin', country: 'DE' },
})

function visitOf(input: BookVisit) {
  const r = resolveWindow(input.window, NOW)
  if (!r.ok) throw new Error(JSON.stringify(r.problems))
  return buildVisit(input, { id: newId(), now: nowIso(), window: r.window })
}

describe('visits store on DynamoDB Local', () => {
  let table: string
  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  const outboxTypes = async (tenant: string) => {
    const out = await documentClient().send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'kind = :k AND begins_with(pk, :t)',
        ExpressionAttributeValues: { ':k': 'outbox', ':t': `T#${tenant}#` },
      }),
    )
    return (out.Items ?? []).map((i) => i.detailType as string).sort()
  }

  it('books a visit with Visit.Booked and refuses an overlapping one for the same technician', async () => {
    // Prepare
    const first = visitOf(booking('tech-1', '2026-12-03T09:00', '2026-12-03T11:00'))
    // Act
    await bookVisit('acme', first, 'c1')
    const overlap = bookVisit(
      'acme',
      visitOf(booking('tech-1', '2026-12-03T10:45', '2026-12-03T12:00')),
      'c2',
    )
    // Assess
    await expect(overlap).rejects.toBeInstanceOf(TechnicianBooked)
    expect(await getVisit('acme', first.id)).toEqual(first)
    expect(await outboxTypes('acme')).toEqual(['Visit.Booked'])
    // Back to back, another technician, another tenant: all fine.
    await bookVisit('acme', visitOf(booking('tech-1', '2026-12-03T11:00', '2026-12-03T12:00')), 'c3')
    await bookVisit('acme', visitOf(booking('tech-2', '2026-12-03T09:00', '2026-12-03T11:00')), 'c4')
    await bookVisit('globex', visitOf(booking('tech-1', '2026-12-03T09:00', '2026-12-03T11:00')), 'c5')
  })

  it('lets exactly one of 12 concurrent overlapping bookings through', async () => {
    // Prepare: windows that all share 14:00-14:15 with each other
    const attempts = Array.from({ length: 12 }, (_, i) =>
      visitOf(
        booking('tech-9', '2026-12-04T14:00', `2026-12-04T${String(15 + (i % 4)).padStart(2, '0')}:00`),
      ),
    )
    // Act
    const results = await Promise.allSettled(attempts.map((v, i) => bookVisit('acme', v, `cc-${i}`)))
    // Assess: one booked, every other refused as a double booking (never a second one)
    const ok = results.filter((r) => r.status === 'fulfilled')
    expect(ok).toHaveLength(1)
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(TechnicianBooked)
    const page = await listVisits('acme', { technicianId: 'tech-9' })
    expect(page.items).toHaveLength(1)
  })

  it('reschedules onto free time, releases on cancel, and keeps the version rule', async () => {
    // Prepare
    const v = visitOf(booking('tech-3', '2026-12-05T09:00', '2026-12-05T10:00'))
    await bookVisit('acme', v, 'c')
    const blocker = visitOf(booking('tech-3', '2026-12-05T11:00', '2026-12-05T12:00'))
    await bookVisit('acme', blocker, 'c')
    // Act: move onto the blocker → refused; move later the same morning → done
    const onBlocker = applyVisitPatch(
      v,
      { window: { start: '2026-12-05T10:30', end: '2026-12-05T11:30', timeZone: 'Europe/Berlin' } },
      NOW,
    )
    if (!onBlocker.ok) throw new Error('expected a change')
    await expect(changeVisit('acme', v, onBlocker.change, v.version, 'c')).rejects.toBeInstanceOf(
      TechnicianBooked,
    )
    const moved = applyVisitPatch(
      v,
      { window: { start: '2026-12-05T09:30', end: '2026-12-05T10:30', timeZone: 'Europe/Berlin' } },
      NOW,
    )
    if (!moved.ok) throw new Error('expected a change')
    await changeVisit('acme', v, moved.change, v.version, 'c')
    // A stale version is refused
    await expect(changeVisit('acme', v, moved.change, v.version, 'c')).rejects.toBeInstanceOf(StaleVersion)
    // Assess: the freed 09:00-09:30 takes a new booking; cancelling the blocker frees 11:00-12:00
    await bookVisit('acme', visitOf(booking('tech-3', '2026-12-05T09:00', '2026-12-05T09:30')), 'c')
    const cancel = applyVisitPatch(blocker, { status: 'cancelled' }, NOW)
    if (!cancel.ok) throw new Error('expected a change')
    await changeVisit('acme', blocker, cancel.change, blocker.version, 'c')
    await bookVisit('acme', visitOf(booking('tech-3', '2026-12-05T11:00', '2026-12-05T12:00')), 'c')
    expect((await getVisit('acme', blocker.id))?.status).toBe('cancelled')
  })

  it("re-points a merged customer's visits and strips an erased one's address", async () => {
    const from = newId()
    const to = newId()
    const v = { ...visitOf(booking('tech-4', '2026-12-06T09:00', '2026-12-06T10:00')), contactId: from }
    await bookVisit('acme', { ...v, notes: 'Gate code 1234' }, 'c')
    expect(await repointVisits('acme', from, to, nowIso())).toBe(1)
    expect(await repointVisits('acme', from, to, nowIso())).toBe(0)
    expect((await getVisit('acme', v.id))?.contactId).toBe(to)
    expect(await eraseVisits('acme', to, nowIso())).toBe(1)
    const erased = await getVisit('acme', v.id)
    expect(erased?.address).toEqual({ line1: '[erased]', city: '[erased]', country: 'DE' })
    expect(erased?.notes).toBeUndefined()
    expect(erased?.technicianId).toBe('tech-4')
  })

  it('lists visits by window start within a range', async () => {
    const page = await listVisits('acme', {
      technicianId: 'tech-1',
      from: '2026-12-03T09:30:00Z',
      to: '2026-12-03T23:00:00Z',
    })
    expect(page.items.map((v) => v.window.start)).toEqual(['2026-12-03T10:00:00.000Z'])
  })
})

describe('registrations store on DynamoDB Local', () => {
  let table: string
  beforeAll(async () => {
    table = await createServiceTable(`${STAGE}r`, manifest)
  })
  afterAll(() => dropTable(table))

  const C1 = newId()
  const C2 = newId()
  const reg = (contactId: string, serialNumber: string, warrantyEnd?: string) =>
    buildRegistration(
      {
        contactId,
        product: 'Kettle',
        serialNumber,
        purchaseDate: '2025-01-01',
        ...(warrantyEnd ? { warrantyEnd } : {}),
      },
      { id: newId(), now: nowIso() },
    )

  it("lists a contact's registrations and one unit's, and judges coverage from them", async () => {
    // Prepare
    const a = reg(C1, 'SN-1', '2027-01-01')
    const b = reg(C1, 'SN-2', '2025-06-01')
    await insertRegistration('acme', a)
    await insertRegistration('acme', b)
    await insertRegistration('acme', reg(C2, 'sn 1'))
    // Act
    const mine = await listRegistrations('acme', { contactId: C1 })
    const unit = await listRegistrations('acme', { serialNumber: 'sn1' })
    // Assess
    expect(mine.items.map((r) => r.id).sort()).toEqual([a.id, b.id].sort())
    expect(unit.items).toHaveLength(2)
    expect(coverageOn(await contactRegistrations('acme', C1), '2026-12-01').covered).toBe(true)
    expect((await listRegistrations('globex', { contactId: C1 })).items).toEqual([])
  })

  it('re-points a merged contact’s registrations to the survivor, once', async () => {
    const r = reg(newId(), 'SN-M')
    await insertRegistration('acme', r)
    const to = newId()
    expect(await repointRegistrations('acme', r.contactId, to, nowIso())).toBe(1)
    expect(await repointRegistrations('acme', r.contactId, to, nowIso())).toBe(0)
    expect((await getRegistration('acme', r.id))?.contactId).toBe(to)
    expect((await contactRegistrations('acme', to)).map((x) => x.id)).toEqual([r.id])
  })
})
