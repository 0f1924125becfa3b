/**
 * Outbound email for every service: MIME built by nodemailer's MailComposer (headers folded and
 * encoded, UTF-8 subjects and names in any script, multipart/alternative) and sent with SES v1
 * `SendRawEmail`, the one call that keeps our own headers (Message-ID for threading,
 * List-Unsubscribe for RFC 8058). A module of its own so that only the functions that send mail
 * bundle the SES client and the composer.
 */
import { randomUUID } from 'node:crypto'
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses'
import MailComposer from 'nodemailer/lib/mail-composer'
import { ENV } from './manifest.js'
import { Unavailable } from './outcomes.js'

export interface OutboundMail {
  from: string
  to: readonly string[]
  cc?: readonly string[]
  replyTo?: string
  subject: string
  text?: string
  html?: string
  /** `<id@domain>`; generated (from the sender's domain) when absent. */
  messageId?: string
  /** The Message-ID this mail answers (threading in the recipient's client). */
  inReplyTo?: string
  references?: readonly string[]
  /**
   * One-click unsubscribe (RFC 8058): `List-Unsubscribe` with the HTTPS URL (and a mailto) plus
   * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, which Gmail and Yahoo require of bulk senders
   * since 2024. The URL must accept a POST without cookies or a token of ours.
   */
  listUnsubscribe?: { url: string; mailto?: string }
  /** Further headers, e.g. `X-Relay-Ticket`. */
  headers?: Readonly<Record<string, string>>
}

/** SES v1 refuses a raw message over 10 MB (its documented quota). */
export const SES_MAX_RAW_BYTES = 10 * 1024 * 1024

/** How long a throttled sender waits before the batch is tried again (SES refills per second). */
const THROTTLE_RETRY_SECONDS = 2

let client: SESClient | undefined

/** The SES client; the endpoint is read on first use because the local runtime sets it after import. */
export function sesClient(): SESClient {
  client ??= new SESClient(process.env[ENV.sesEndpoint] ? { endpoint: process.env[ENV.sesEndpoint] } : {})
  return client
}

/** Drops the cached client (tests that mock it or change `SES_ENDPOINT`). */
export function resetSesClient(): void {
  client = undefined
}

/** The stage's sender (`MAIL_FROM`), e.g. `Relay CRM <no-reply@relay.local>`. */
export function mailFrom(): string {
  return process.env[ENV.mailFrom] || 'no-reply@relay.local'
}

/** The SES configuration set whose events (delivery, bounce, complaint) reach the bus, if any. */
export function configurationSet(): string | undefined {
  return process.env[ENV.sesConfigurationSet] || undefined
}

/** The domain part of an address (`Name <a@b.c>` or `a@b.c`), for Message-IDs. */
function domainOf(address: string): string {
  const bare = /<([^>]+)>/.exec(address)?.[1] ?? address
  return bare.split('@')[1]?.trim() || 'relay.local'
}

/**
 * Builds the MIME message.
 *
 * @example
 * const { raw, messageId } = await composeMime({ from: mailFrom(), to: ['siân@example.cymru'], subject: 'Re: [#42] Printer', text: 'Fixed.', inReplyTo: '<abc@example.cymru>' })
 */
export async function composeMime(mail: OutboundMail): Promise<{ raw: Buffer; messageId: string }> {
  const messageId = mail.messageId ?? `<${randomUUID()}@${domainOf(mail.from)}>`
  const headers: Record<string, string> = { ...mail.headers }
  if (mail.listUnsubscribe) {
    const { url, mailto } = mail.listUnsubscribe
    headers['List-Unsubscribe'] = mailto ? `<${url}>, <mailto:${mailto}>` : `<${url}>`
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click'
  }
  const composer = new MailComposer({
    from: mail.from,
    to: [...mail.to],
    ...(mail.cc?.length ? { cc: [...mail.cc] } : {}),
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    ...(mail.text !== undefined ? { text: mail.text } : {}),
    ...(mail.html !== undefined ? { html: mail.html } : {}),
    messageId,
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    ...(mail.references?.length ? { references: [...mail.references] } : {}),
    headers,
  })
  const raw = await composer.compile().build()
  return { raw, messageId }
}

/** Names of SES errors that mean "slow down" (sending rate or API rate), not "this message is bad". */
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException'])

function isThrottled(error: unknown): boolean {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }
  return (
    THROTTLED.has(e?.name ?? '') ||
    /maximum sending rate exceeded/i.test(e?.message ?? '') ||
    e?.$metadata?.httpStatusCode === 429
  )
}

/**
 * Sends a built message. A throttled call throws {@link Unavailable}: nothing was sent, so the caller
 * retries it later (a send-batch worker lets the message come back); any other SES error is rethrown.
 */
export async function sendRawEmail(
  raw: Buffer,
  opts: { configurationSet?: string; tags?: Readonly<Record<string, string>> } = {},
): Promise<{ sesMessageId: string }> {
  if (raw.byteLength > SES_MAX_RAW_BYTES)
    throw new Error(`The message is ${raw.byteLength} bytes; SES takes 10 MB`)
  const set = opts.configurationSet ?? configurationSet()
  try {
    const out = await sesClient().send(
      new SendRawEmailCommand({
        RawMessage: { Data: raw },
        ...(set ? { ConfigurationSetName: set } : {}),
        ...(opts.tags
          ? {
              // SES tag names and values: letters, digits, _ and - only, up to 256 characters.
              Tags: Object.entries(opts.tags).map(([Name, Value]) => ({
                Name,
                Value: Value.replace(/[^\w-]/g, '_').slice(0, 256),
              })),
            }
          : {}),
      }),
    )
    return { sesMessageId: out.MessageId ?? '' }
  } catch (error) {
    if (isThrottled(error))
      throw new Unavailable(THROTTLE_RETRY_SECONDS, 'SES is throttling sends; retry later.')
    throw error
  }
}
