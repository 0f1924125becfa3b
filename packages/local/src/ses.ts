/**
 * A local SES v1 endpoint (Query protocol: `Action=SendEmail` / `SendRawEmail`, form-encoded, XML
 * answers) so `@aws-sdk/client-ses` works unchanged; every message lands in a persisted mailbox
 * (one JSON file per message under `<dataDir>/mail/`). "Outbox" names the event outbox only.
 */
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { writeJsonAtomic } from './persist.js'

export interface MailMessage {
  id: string
  sentAt: string
  action: 'SendEmail' | 'SendRawEmail'
  from: string
  to: string[]
  cc: string[]
  bcc: string[]
  replyTo: string[]
  subject: string
  text?: string
  html?: string
  /** The whole MIME message of SendRawEmail. */
  raw?: string
}

/** Mail "sent" through the local SES endpoint, for a developer to list and read. */
export class Mailbox extends EventEmitter<{ sent: [MailMessage] }> {
  private readonly dir: string

  constructor(dataDir: string) {
    super()
    this.dir = join(dataDir, 'mail')
  }

  async add(message: MailMessage): Promise<void> {
    await writeJsonAtomic(join(this.dir, `${message.id}.json`), message)
    this.emit('sent', message)
  }

  /** Every message, newest first. */
  async list(): Promise<MailMessage[]> {
    let files: string[]
    try {
      files = (await readdir(this.dir)).filter((f) => f.endsWith('.json'))
    } catch {
      return []
    }
    const messages = await Promise.all(
      files.map(async (f) => JSON.parse(await readFile(join(this.dir, f), 'utf8')) as MailMessage),
    )
    return messages.sort((a, b) => b.sentAt.localeCompare(a.sentAt) || b.id.localeCompare(a.id))
  }

  async get(id: string): Promise<MailMessage | undefined> {
    if (!/^[\w-]+$/.test(id)) return undefined
    try {
      return JSON.parse(await readFile(join(this.dir, `${id}.json`), 'utf8')) as MailMessage
    } catch {
      return undefined
    }
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true })
    await mkdir(this.dir, { recursive: true })
  }
}

/** `Destination.ToAddresses.member.1`, `.member.2`… → list. */
function members(form: URLSearchParams, prefix: string): string[] {
  const out: { n: number; v: string }[] = []
  for (const [k, v] of form) {
    const m = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.member\\.(\\d+)$`).exec(k)
    if (m) out.push({ n: Number(m[1]), v })
  }
  return out.sort((a, b) => a.n - b.n).map((x) => x.v)
}

/** Unfolds a MIME header block into name → value (first occurrence), RFC 2047 words decoded. */
function parseHeaders(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/)
  const block = (end >= 0 ? raw.slice(0, end) : raw).replace(/\r?\n[ \t]+/g, ' ')
  const headers: Record<string, string> = {}
  for (const line of block.split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i <= 0) continue
    const name = line.slice(0, i).trim().toLowerCase()
    headers[name] ??= decodeWords(line.slice(i + 1).trim())
  }
  return headers
}

function decodeWords(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
    (_, _charset: string, enc: string, text: string) => {
      if (enc.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8')
      const bytes = text
        .replace(/_/g, ' ')
        .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
      return Buffer.from(bytes, 'latin1').toString('utf8')
    },
  )
}

const addressList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

const xmlEscape = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)

/** Builds the mailbox message of one SES request, or throws a message for a 400. */
export function messageFromForm(form: URLSearchParams): MailMessage {
  const action = form.get('Action')
  const id = `${Date.now().toString(16).padStart(16, '0')}-${randomUUID()}-000000`
  const sentAt = new Date().toISOString()
  if (action === 'SendEmail') {
    const from = form.get('Source')
    const to = members(form, 'Destination.ToAddresses')
    const cc = members(form, 'Destination.CcAddresses')
    const bcc = members(form, 'Destination.BccAddresses')
    if (!from) throw new Error('Missing required parameter Source')
    if (!to.length && !cc.length && !bcc.length) throw new Error('Missing final destination')
    const text = form.get('Message.Body.Text.Data') ?? undefined
    const html = form.get('Message.Body.Html.Data') ?? undefined
    return {
      id,
      sentAt,
      action,
      from,
      to,
      cc,
      bcc,
      replyTo: members(form, 'ReplyToAddresses'),
      subject: form.get('Message.Subject.Data') ?? '',
      ...(text !== undefined ? { text } : {}),
      ...(html !== undefined ? { html } : {}),
    }
  }
  if (action === 'SendRawEmail') {
    const data = form.get('RawMessage.Data')
    if (!data) throw new Error('Missing required parameter RawMessage.Data')
    const raw = Buffer.from(data, 'base64').toString('utf8')
    const headers = parseHeaders(raw)
    const destinations = members(form, 'Destinations')
    const to = addressList(headers.to)
    const cc = addressList(headers.cc)
    const from = form.get('Source') ?? headers.from ?? ''
    if (!from) throw new Error('Missing required parameter Source')
    const listed = new Set([...to, ...cc])
    return {
      id,
      sentAt,
      action,
      from,
      to: to.length ? to : destinations,
      cc,
      // Destinations not named in To/Cc are the blind copies.
      bcc: to.length ? destinations.filter((d) => !listed.has(d)) : [],
      replyTo: addressList(headers['reply-to']),
      subject: headers.subject ?? '',
      raw,
    }
  }
  throw new Error(`Unsupported action ${action ?? '(none)'}`)
}

/** An SES configuration-set event as EventBridge carries it (source `aws.ses`). */
export interface SesBusEntry {
  Source: 'aws.ses'
  DetailType: string
  Detail: string
  Resources: string[]
}

export interface SesServerOptions {
  /**
   * Where the configuration-set events of a message go (the local bus's putEvents): SES, sending
   * with a configuration set that has an EventBridge destination, publishes them to the default
   * bus, and the stage forwards them to its crm bus, so locally they go straight there.
   */
  putEvents?: (entries: SesBusEntry[]) => Promise<unknown>
}

/** AWS's mailbox simulator addresses (the local domain part is what counts, as at AWS). */
const SIMULATOR = {
  bounce: 'bounce@simulator.amazonses.com',
  complaint: 'complaint@simulator.amazonses.com',
  suppressed: 'suppressionlist@simulator.amazonses.com',
} as const

const LOCAL_ACCOUNT_ID = '000000000000'

/** `Tags.member.N.Name` / `.Value` → `{ name: [value] }`, as SES lists a message's tags in its events. */
function tagsOf(form: URLSearchParams): Record<string, string[]> {
  const names = new Map<string, string>()
  const values = new Map<string, string>()
  for (const [k, v] of form) {
    const m = /^Tags\.member\.(\d+)\.(Name|Value)$/.exec(k)
    if (m) (m[2] === 'Name' ? names : values).set(m[1] as string, v)
  }
  const tags: Record<string, string[]> = {}
  for (const [n, name] of names) tags[name] = [values.get(n) ?? '']
  return tags
}

const bareAddress = (a: string) => (/<([^>]+)>/.exec(a)?.[1] ?? a).trim().toLowerCase()

/**
 * The configuration-set events SES would publish for an accepted message, as AWS's mailbox
 * simulator answers: `bounce@simulator.amazonses.com` and `suppressionlist@...` → Email Bounced
 * (Permanent; General / OnAccountSuppressionList), `complaint@simulator.amazonses.com` → Email
 * Delivered then Email Complained (the complaint follows a delivery), anyone else → Email Delivered.
 */
export function sesEventsFor(
  message: MailMessage,
  form: URLSearchParams,
  region = 'us-east-1',
): SesBusEntry[] {
  const set = form.get('ConfigurationSetName')
  if (!set) return []
  const recipients = [...message.to, ...message.cc, ...message.bcc].map(bareAddress)
  const now = new Date().toISOString()
  const headers = parseHeaders(message.raw ?? '')
  const mail = {
    timestamp: message.sentAt,
    source: message.from,
    sendingAccountId: LOCAL_ACCOUNT_ID,
    messageId: message.id,
    destination: recipients,
    headersTruncated: false,
    commonHeaders: {
      from: addressList(headers.from ?? message.from),
      to: message.to,
      messageId: headers['message-id'] ?? message.id,
      subject: message.subject,
    },
    tags: {
      'ses:configuration-set': [set],
      'ses:from-domain': [bareAddress(message.from).split('@')[1] ?? ''],
      'ses:caller-identity': ['local'],
      ...tagsOf(form),
    },
  }
  const entry = (detailType: string, detail: Record<string, unknown>): SesBusEntry => ({
    Source: 'aws.ses',
    DetailType: detailType,
    Detail: JSON.stringify({ ...detail, mail }),
    Resources: [`arn:aws:ses:${region}:${LOCAL_ACCOUNT_ID}:configuration-set/${set}`],
  })
  const bounced: string[] = recipients.filter((r) => r === SIMULATOR.bounce || r === SIMULATOR.suppressed)
  const delivered = recipients.filter((r) => !bounced.includes(r))
  const complained = recipients.filter((r) => r === SIMULATOR.complaint)
  const out: SesBusEntry[] = []
  if (delivered.length)
    out.push(
      entry('Email Delivered', {
        eventType: 'Delivery',
        delivery: {
          timestamp: now,
          processingTimeMillis: 1,
          recipients: delivered,
          smtpResponse: '250 2.6.0 Message received',
          reportingMTA: 'a1-1.smtp-out.local.amazonses.com',
        },
      }),
    )
  if (bounced.length)
    out.push(
      entry('Email Bounced', {
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: bounced.includes(SIMULATOR.suppressed) ? 'OnAccountSuppressionList' : 'General',
          bouncedRecipients: bounced.map((emailAddress) => ({
            emailAddress,
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: 'smtp; 550 5.1.1 user unknown',
          })),
          timestamp: now,
          feedbackId: `${message.id}-bounce`,
          reportingMTA: 'dsn; a1-1.smtp-out.local.amazonses.com',
        },
      }),
    )
  if (complained.length)
    out.push(
      entry('Email Complained', {
        eventType: 'Complaint',
        complaint: {
          complainedRecipients: complained.map((emailAddress) => ({ emailAddress })),
          timestamp: now,
          feedbackId: `${message.id}-complaint`,
          userAgent: 'Relay local mailbox simulator',
          complaintFeedbackType: 'abuse',
          arrivalDate: now,
        },
      }),
    )
  return out
}

/** Creates the SES endpoint server (not yet listening). */
export function createSesServer(
  mailbox: Mailbox,
  log: (line: string) => void = () => {},
  options: SesServerOptions = {},
): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const requestId = randomUUID()
      const send = (status: number, xml: string) => {
        res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
        res.end(xml)
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      let message: MailMessage
      try {
        message = messageFromForm(form)
      } catch (err) {
        const code = /Unsupported action/.test((err as Error).message) ? 'InvalidAction' : 'MessageRejected'
        return send(
          400,
          `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape((err as Error).message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        )
      }
      mailbox.add(message).then(
        () => {
          log(
            `mail ${message.id} from ${message.from} to ${[...message.to, ...message.cc].join(', ')}: ${message.subject}`,
          )
          const action = message.action
          send(
            200,
            `<${action}Response xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><${action}Result><MessageId>${message.id}</MessageId></${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
          )
          // After the answer, as SES: its events come asynchronously, after the send call returned.
          const events = options.putEvents ? sesEventsFor(message, form) : []
          if (events.length)
            options
              .putEvents?.(events)
              .catch((err) => log(`ses: events of ${message.id} not published: ${err}`))
        },
        (err) =>
          send(
            500,
            `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>${xmlEscape(String(err))}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
          ),
      )
    })
  })
}
