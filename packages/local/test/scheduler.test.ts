import { describe, expect, it } from 'vitest'
import { nextRun, parseSchedule } from '../src/scheduler.js'

const next = (expr: string, after: string) => nextRun(parseSchedule(expr), new Date(after))?.toISOString()

describe('parseSchedule', () => {
  it('parses rate expressions with EventBridge singular/plural rules', () => {
    expect(parseSchedule('rate(1 minute)')).toEqual({ kind: 'rate', everyMs: 60_000 })
    expect(parseSchedule('rate(5 minutes)')).toEqual({ kind: 'rate', everyMs: 300_000 })
    expect(parseSchedule('rate(2 hours)')).toEqual({ kind: 'rate', everyMs: 7_200_000 })
    expect(parseSchedule('rate(1 day)')).toEqual({ kind: 'rate', everyMs: 86_400_000 })
    expect(() => parseSchedule('rate(1 minutes)')).toThrow(/Invalid schedule/)
    expect(() => parseSchedule('rate(5 minute)')).toThrow(/Invalid schedule/)
    expect(() => parseSchedule('rate(0 minutes)')).toThrow(/Invalid schedule/)
    expect(() => parseSchedule('rate(5 weeks)')).toThrow(/Invalid schedule/)
  })

  it('rejects malformed cron expressions', () => {
    expect(() => parseSchedule('cron(0 8 * * *)')).toThrow(/6 fields/)
    expect(() => parseSchedule('cron(0 8 * * * *)')).toThrow(/"\?"/)
    expect(() => parseSchedule('cron(0 8 ? * ? *)')).toThrow(/"\?"/)
    expect(() => parseSchedule('cron(60 8 * * ? *)')).toThrow(/out of range/)
    expect(() => parseSchedule('cron(0 8 * FOO ? *)')).toThrow(/out of range/)
    expect(() => parseSchedule('every day')).toThrow(/rate\(\.\.\.\) or cron/)
  })
})

describe('nextRun', () => {
  it('adds the period for rates', () => {
    expect(next('rate(5 minutes)', '2024-01-01T00:00:00.000Z')).toBe('2024-01-01T00:05:00.000Z')
  })

  it('finds the next cron time in UTC', () => {
    expect(next('cron(0 8 * * ? *)', '2024-01-01T07:59:30Z')).toBe('2024-01-01T08:00:00.000Z')
    expect(next('cron(0 8 * * ? *)', '2024-01-01T08:00:00Z')).toBe('2024-01-02T08:00:00.000Z')
    expect(next('cron(*/15 * * * ? *)', '2024-01-01T10:07:00Z')).toBe('2024-01-01T10:15:00.000Z')
    expect(next('cron(0/30 9-17 ? * MON-FRI *)', '2024-01-05T17:45:00Z')).toBe('2024-01-08T09:00:00.000Z')
    expect(next('cron(15 10 ? * 6L 2024)', '2024-01-01T00:00:00Z')).toBe('2024-01-26T10:15:00.000Z')
    expect(next('cron(0 0 L * ? *)', '2024-02-10T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z')
    expect(next('cron(0 12 ? * 2#1 *)', '2024-01-02T00:00:00Z')).toBe('2024-02-05T12:00:00.000Z')
    expect(next('cron(0 9 1W * ? *)', '2024-06-01T00:00:00Z')).toBe('2024-06-03T09:00:00.000Z')
    expect(next('cron(0 0 1 JAN ? 2020)', '2024-01-01T00:00:00Z')).toBeUndefined()
  })
})
