import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { composeMime, resetSesClient, sendRawEmail } from '../src/mail.js'
import { Unavailable } from '../src/outcomes.js'

const ses = mockClient(SESClient)

beforeEach(() => {
  resetSesClient()
  ses.reset()
})
afterEach(() => ses.reset())

describe('composeMime', () => {
  it('writes the RFC 8058 one-click headers, threading headers and a UTF-8 subject', async () => {
    // Prepare
    const mail = {
      from: 'Relay CRM <no-reply@relay.local>',
      to: ['Siân Llywelyn <sian@example.cymru>'],
      subject: 'Re: [#42] ปริ้นเตอร์เสีย',
      text: 'Diolch!',
      html: '<p>Diolch!</p>',
      inReplyTo: '<abc@example.cymru>',
      references: ['<abc@example.cymru>'],
      listUnsubscribe: { url: 'https://api.example.com/public/u/tok', mailto: 'unsubscribe@relay.local' },
    }
    // Act
    const { raw, messageId } = await composeMime(mail)
    // Long headers are folded (RFC 5322 §2.2.3); unfold before reading them.
    const text = raw.toString('utf8').replace(/\r\n[ \t]+/g, ' ')
    // Assess
    expect(messageId).toMatch(/^<[\w-]+@relay\.local>$/)
    expect(text).toContain(`Message-ID: ${messageId}`)
    expect(text).toContain('In-Reply-To: <abc@example.cymru>')
    expect(text).toContain('References: <abc@example.cymru>')
    expect(text).toContain(
      'List-Unsubscribe: <https://api.example.com/public/u/tok>, <mailto:unsubscribe@relay.local>',
    )
    expect(text).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
    expect(text).toMatch(/Subject: =\?UTF-8\?/)
    expect(text).toContain('multipart/alternative')
  })

  it('keeps a given Message-ID', async () => {
    const { raw, messageId } = await composeMime({
      from: 'a@b.c',
      to: ['d@e.f'],
      subject: 's',
      text: 't',
      messageId: '<ticket-1@desk.relay.local>',
    })
    expect(messageId).toBe('<ticket-1@desk.relay.local>')
    expect(raw.toString()).toContain('Message-ID: <ticket-1@desk.relay.local>')
  })
})

describe('sendRawEmail', () => {
  it('sends the raw bytes with the configuration set and sanitised tags', async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'ses-1' })
    const raw = Buffer.from('Subject: x\r\n\r\nbody')
    const out = await sendRawEmail(raw, { configurationSet: 'crm-test-mail', tags: { campaign: 'c 1/a' } })
    expect(out).toEqual({ sesMessageId: 'ses-1' })
    const input = ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input
    expect(input.ConfigurationSetName).toBe('crm-test-mail')
    expect(input.Tags).toEqual([{ Name: 'campaign', Value: 'c_1_a' }])
    expect(Buffer.from(input.RawMessage!.Data!).toString()).toBe(raw.toString())
  })

  it('turns SES throttling into Unavailable (nothing was sent: retry later)', async () => {
    ses
      .on(SendRawEmailCommand)
      .rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }))
    await expect(sendRawEmail(Buffer.from('x'))).rejects.toBeInstanceOf(Unavailable)
  })

  it('rethrows other SES errors', async () => {
    ses
      .on(SendRawEmailCommand)
      .rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }))
    await expect(sendRawEmail(Buffer.from('x'))).rejects.toThrow('not verified')
  })
})
