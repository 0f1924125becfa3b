/** The send job's rules, pure: RFC 8058 headers on the built MIME, SES failure meanings, SES feedback. */
import { composeMime } from '@relay/core/mail'
import { Unavailable } from '@relay/core/outcomes'
import { describe, expect, it } from 'vitest'
import {
  batchSize,
  classifySendError,
  fromHeader,
  linksToTrack,
  MAX_BATCH,
  personalise,
  withTracking,
} from '../src/domain/send.js'
import { feedbackOf, SesEventDetail, sendOf } from '../src/domain/ses-feedback.js'

const template = {
  subject: 'Spring for {{ contact.firstName | default: "you" }}',
  html: '<html><body><p>Hi {{ contact.firstName }}</p><a href="https://shop.test/spring?x=1&amp;y=2">Shop</a><a href="mailto:help@shop.test">Help</a></body></html>',
}
const UNSUB = 'https://api.test/public/unsubscribe/aaa.bbb.ccc'

/** The header block of a MIME message, unfolded. */
const headersOf = (raw: Buffer) =>
  raw
    .toString('utf8')
    .split(/\r\n\r\n/)[0]!
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')

describe('a recipient message', () => {
  it('carries List-Unsubscribe and List-Unsubscribe-Post (RFC 8058), tracked links and the pixel', async () => {
    const mail = personalise(template, { firstName: 'Ngozi' }, { name: 'Spring' }, UNSUB)
    const links = linksToTrack(mail.html, UNSUB)
    // The footer's unsubscribe link is not redirected; the shop link is; mailto is not a web link.
    expect([...links.values()]).toEqual(['https://shop.test/spring?x=1&y=2'])
    const tracked = withTracking(
      mail,
      new Map([...links.keys()].map((i) => [i, `https://api.test/public/t/c/tok${i}`])),
      'https://api.test/public/t/o/pix',
    )
    const { raw } = await composeMime({
      from: fromHeader('Relay <no-reply@relay.test>', 'Spring Shop'),
      to: ['ngozi@example.ng'],
      subject: tracked.subject,
      html: tracked.html,
      text: tracked.text,
      listUnsubscribe: { url: UNSUB },
    })
    const headers = headersOf(raw)
    expect(headers).toContain(`List-Unsubscribe: <${UNSUB}>`)
    expect(headers).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
    expect(headers).toContain('From: Spring Shop <no-reply@relay.test>')
    const body = raw.toString('utf8')
    expect(body).toContain('multipart/alternative')
    expect(tracked.html).toContain('href="https://api.test/public/t/c/tok')
    expect(tracked.html).not.toContain('href="https://shop.test')
    expect(tracked.html).toContain(`<a href="${UNSUB}">Unsubscribe</a>`)
    expect(tracked.html).toMatch(/<img src="https:\/\/api.test\/public\/t\/o\/pix"[^>]*\/><\/body>/)
    expect(tracked.text).toContain(`Unsubscribe: ${UNSUB}`)
  })

  it('quotes a sender name so it cannot add addresses or headers', () => {
    expect(fromHeader('no-reply@relay.test', 'A, "B" <c@d>\r\nBcc: e@f')).toBe(
      '"A,  B  <c@d>  Bcc: e@f" <no-reply@relay.test>',
    )
    expect(fromHeader('Relay <no-reply@relay.test>', undefined)).toBe('Relay <no-reply@relay.test>')
  })
})

describe('batch size', () => {
  it('covers 20 s at the rate, bounded', () => {
    expect(batchSize(1)).toBe(20)
    expect(batchSize(14)).toBe(280)
    expect(batchSize(1000)).toBe(MAX_BATCH)
  })
})

describe('classifySendError', () => {
  it('throttling (core Unavailable) → the batch again later, nothing sent', () => {
    expect(classifySendError(new Unavailable(2, 'slow down'))).toMatchObject({
      kind: 'retry-later',
      retryAfterSeconds: 2,
    })
  })
  it('refused before SES took it → again later', () => {
    expect(classifySendError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).kind).toBe(
      'retry-later',
    )
    expect(
      classifySendError(Object.assign(new Error('x'), { name: 'AccountSendingPausedException' })).kind,
    ).toBe('retry-later')
    expect(
      classifySendError(
        Object.assign(new Error('x'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }),
      ).kind,
    ).toBe('retry-later')
  })
  it('a message SES rejects → failed (not sent, not retried)', () => {
    expect(
      classifySendError(
        Object.assign(new Error('Email address is not verified'), {
          name: 'MessageRejected',
          $metadata: { httpStatusCode: 400 },
        }),
      ).kind,
    ).toBe('failed')
  })
  it('a call cut off mid-way → uncertain (SES may have taken it: never re-sent)', () => {
    expect(classifySendError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).kind).toBe(
      'uncertain',
    )
    expect(classifySendError(Object.assign(new Error('timeout'), { name: 'TimeoutError' })).kind).toBe(
      'uncertain',
    )
  })
})

describe('SES feedback', () => {
  const base = {
    mail: {
      messageId: 'm-1',
      tags: {
        t: [Buffer.from('acme').toString('base64url')],
        c: ['C1'],
        k: ['K1'],
        'ses:configuration-set': ['s'],
      },
    },
  }
  it('names the send from the message tags; other mail is not a campaign send', () => {
    const d = SesEventDetail.parse({
      eventType: 'Delivery',
      delivery: { timestamp: '2026-03-01T10:00:00Z' },
      ...base,
    })
    expect(sendOf(d)).toEqual({ tenantId: 'acme', campaignId: 'C1', contactId: 'K1' })
    expect(sendOf(SesEventDetail.parse({ eventType: 'Delivery', mail: { messageId: 'x' } }))).toBeUndefined()
    expect(feedbackOf(d, 'now')).toEqual({ kind: 'delivered', at: '2026-03-01T10:00:00.000Z' })
  })
  it('suppresses on a permanent bounce and a complaint, not on a transient bounce', () => {
    const bounce = (bounceType: string) =>
      feedbackOf(
        SesEventDetail.parse({
          eventType: 'Bounce',
          bounce: { bounceType, bouncedRecipients: [{ emailAddress: 'a@b.c', diagnosticCode: 'smtp; 550' }] },
          ...base,
        }),
        '2026-03-01T10:00:00.000Z',
      )
    expect(bounce('Permanent')).toMatchObject({ kind: 'bounced', suppress: true, diagnostic: 'smtp; 550' })
    expect(bounce('Transient')).toMatchObject({ kind: 'bounced', suppress: false })
    expect(
      feedbackOf(
        SesEventDetail.parse({
          eventType: 'Complaint',
          complaint: { complaintFeedbackType: 'abuse' },
          ...base,
        }),
        'x',
      ),
    ).toMatchObject({ kind: 'complained', suppress: true, feedbackType: 'abuse' })
    expect(feedbackOf(SesEventDetail.parse({ eventType: 'Open', ...base }), 'x')).toBeUndefined()
  })
})
