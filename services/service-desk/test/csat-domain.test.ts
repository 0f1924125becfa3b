import { describe, expect, it } from 'vitest'
import { decideRating, isSatisfied, newSurvey, SURVEY_TTL_DAYS, surveyEmail } from '../src/domain/csat.js'

const NOW = '2026-12-01T10:00:00.000Z'
const NOW_MS = Date.parse(NOW)

describe('surveys', () => {
  it('a new survey is queued for the requester and expires after its TTL', () => {
    const s = newSurvey({ id: 'S1', ticketId: 'T1', to: 'ann@example.com', subject: 'Printer', now: NOW })
    expect(s.status).toBe('queued')
    expect(Date.parse(s.expiresAt) - NOW_MS).toBe(SURVEY_TTL_DAYS * 86_400_000)
  })

  it('a ticket without a requester email gets a skipped survey (nothing to send)', () => {
    expect(newSurvey({ id: 'S1', ticketId: 'T1', to: undefined, subject: 'x', now: NOW }).status).toBe(
      'skipped',
    )
  })

  it('its email carries one link per score and escapes the subject in HTML', () => {
    const mail = surveyEmail({
      ticketId: 'T1',
      subject: 'Broken <b>thing</b>',
      requesterName: 'Ann',
      linkOf: (s) => `https://api.test/public/csat/tok?score=${s}`,
    })
    for (const s of [1, 2, 3, 4, 5]) expect(mail.text).toContain(`score=${s}`)
    expect(mail.html).toContain('Broken &lt;b&gt;thing&lt;/b&gt;')
    expect(mail.subject).toContain('[#T1]')
  })
})

describe('decideRating', () => {
  const open = { expiresAt: '2026-12-15T10:00:00.000Z' }

  it('records the first rating, with its comment', () => {
    expect(decideRating(open, { score: 5, comment: '  great ' }, NOW_MS)).toEqual({
      kind: 'record',
      score: 5,
      comment: 'great',
    })
  })

  it('replays the same score (a second click, a mail scanner) and refuses another', () => {
    const rated = { ...open, score: 4 }
    expect(decideRating(rated, { score: 4 }, NOW_MS)).toEqual({ kind: 'replay' })
    expect(decideRating(rated, { score: 1 }, NOW_MS)).toEqual({ kind: 'refuse', reason: 'already_rated' })
  })

  it('takes one comment after a one-click rating, not a second', () => {
    expect(decideRating({ ...open, score: 4 }, { score: 4, comment: 'quick' }, NOW_MS)).toEqual({
      kind: 'add_comment',
      comment: 'quick',
    })
    const commented = { ...open, score: 4, comment: 'quick' }
    expect(decideRating(commented, { score: 4, comment: 'quick' }, NOW_MS)).toEqual({ kind: 'replay' })
    expect(decideRating(commented, { score: 4, comment: 'other' }, NOW_MS)).toEqual({
      kind: 'refuse',
      reason: 'comment_already_given',
    })
  })

  it('refuses a first rating once the survey expired', () => {
    expect(decideRating(open, { score: 5 }, Date.parse('2026-12-15T10:00:00.000Z'))).toEqual({
      kind: 'refuse',
      reason: 'expired',
    })
  })

  it('counts 4 and 5 as satisfied', () => {
    expect([1, 2, 3, 4, 5].map(isSatisfied)).toEqual([false, false, false, true, true])
  })
})
