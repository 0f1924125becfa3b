import { describe, expect, it } from 'vitest'
import {
  attributeConversion,
  type ClickTouch,
  clampWindow,
  dealWonConversion,
  purchaseConversion,
  windowEndsAt,
} from '../src/domain/attribution.js'
import { emptyCounters, type Marker, metricChange, ratesOf, sumCounters } from '../src/domain/report.js'

const click = (campaignId: string, clickedAt: string, windowDays = 7, variantId = 'A'): ClickTouch => ({
  campaignId,
  variantId,
  clickedAt,
  windowDays,
})
const purchase = (at: string) => ({ id: 'ev-1', contactId: 'c-1', at, kind: 'purchase' as const })

describe('attribution windows (last click)', () => {
  const clicks = [click('spring', '2026-03-01T10:00:00.000Z'), click('summer', '2026-03-05T10:00:00.000Z', 2)]

  it('credits the latest click before the conversion whose window is open', () => {
    expect(attributeConversion(purchase('2026-03-06T09:00:00.000Z'), clicks)?.campaignId).toBe('summer')
  })

  it('falls back to an older click when the latest one has closed its window', () => {
    // summer's 2-day window closed at 03-07T10:00; spring's 7 days run to 03-08T10:00.
    expect(attributeConversion(purchase('2026-03-07T10:00:00.000Z'), clicks)?.campaignId).toBe('spring')
    expect(attributeConversion(purchase('2026-03-08T09:59:59.999Z'), clicks)?.campaignId).toBe('spring')
  })

  it('credits nothing once every window has closed, or before any click', () => {
    expect(attributeConversion(purchase('2026-03-08T10:00:00.000Z'), clicks)).toBeUndefined()
    expect(attributeConversion(purchase('2026-03-01T09:59:59.000Z'), clicks)).toBeUndefined()
  })

  it('counts a click at the very instant of the conversion, and breaks exact ties the same way in any order', () => {
    const at = '2026-03-01T10:00:00.000Z'
    expect(attributeConversion(purchase(at), clicks)?.campaignId).toBe('spring')
    const tied = [click('b', at), click('a', at)]
    expect(attributeConversion(purchase(at), tied)?.campaignId).toBe('b')
    expect(attributeConversion(purchase(at), [...tied].reverse())?.campaignId).toBe('b')
  })

  it('keeps windows within 1 to 90 days', () => {
    expect(clampWindow(undefined)).toBe(7)
    expect(clampWindow(0)).toBe(1)
    expect(clampWindow(365)).toBe(90)
    expect(windowEndsAt({ clickedAt: '2026-01-01T00:00:00.000Z', windowDays: 1 })).toBe(
      '2026-01-02T00:00:00.000Z',
    )
  })

  it('takes won deals with a contact and purchase interactions only', () => {
    expect(dealWonConversion('e', '2026-01-02T00:00:00.000Z', {})).toBeUndefined()
    expect(
      dealWonConversion('e', '2026-01-02T00:00:00.000Z', {
        contactId: 'c',
        closedAt: '2026-01-01T00:00:00.000Z',
      })?.at,
    ).toBe('2026-01-01T00:00:00.000Z')
    const base = { contactId: 'c', occurredAt: '2026-01-01T00:00:00.000Z' }
    expect(purchaseConversion('e', { ...base, type: 'call' })).toBeUndefined()
    expect(purchaseConversion('e', { ...base, type: 'purchase' })?.kind).toBe('purchase')
  })
})

describe('metric changes per event', () => {
  const none = new Set<Marker>()

  it('counts a first open once, and a click as an open too', () => {
    expect(metricChange('opened', none)).toEqual({ add: ['uniqueOpens'], mark: ['open'] })
    expect(metricChange('opened', new Set<Marker>(['open']))).toEqual({ add: [], mark: [] })
    expect(metricChange('clicked', none)).toEqual({
      add: ['clicks', 'uniqueOpens', 'uniqueClicks'],
      mark: ['open', 'click'],
    })
    expect(metricChange('clicked', new Set<Marker>(['open']))).toEqual({
      add: ['clicks', 'uniqueClicks'],
      mark: ['click'],
    })
    expect(metricChange('clicked', new Set<Marker>(['open', 'click']))).toEqual({ add: ['clicks'], mark: [] })
  })

  it('counts every send, delivery, bounce and complaint event', () => {
    expect(metricChange('sent', new Set<Marker>(['open'])).add).toEqual(['sent'])
    expect(metricChange('bounced', none).add).toEqual(['bounces'])
    expect(metricChange('complained', none).add).toEqual(['complaints'])
    expect(metricChange('unsubscribed', new Set<Marker>(['unsubscribe'])).add).toEqual([])
  })

  it('computes rates on delivered (sent − bounces until deliveries are reported)', () => {
    const c = { ...emptyCounters(), sent: 200, bounces: 20, uniqueOpens: 45, uniqueClicks: 9, conversions: 3 }
    expect(ratesOf(c)).toMatchObject({
      openRate: 0.25,
      clickThroughRate: 0.05,
      clickToOpenRate: 0.2,
      bounceRate: 0.1,
      conversionRate: 0.0167,
    })
    expect(ratesOf({ ...c, delivered: 150 }).openRate).toBe(0.3)
    expect(ratesOf(emptyCounters()).openRate).toBe(0)
  })

  it('sums variants with revenue per currency', () => {
    const a = { ...emptyCounters(), sent: 2, revenue: { EUR: 1000 } }
    const b = { ...emptyCounters(), sent: 3, revenue: { EUR: 500, USD: 7 } }
    expect(sumCounters([a, b])).toMatchObject({ sent: 5, revenue: { EUR: 1500, USD: 7 } })
  })
})
