/**
 * S3's wire format as the local endpoint reads and writes it: its XML error answers, XML escaping,
 * the raw query, `aws-chunked` bodies, `Range` headers and CompleteMultipartUpload bodies.
 */
import { createHash } from 'node:crypto'
import { type Readable, Transform, type TransformCallback } from 'node:stream'

/** An S3 error answer: status, `<Code>`, `<Message>` and any further elements. */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(message)
    this.name = 'S3Error'
  }
}

export const noSuchKey = (key: string) =>
  new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key })
export const noSuchUpload = (id: string) =>
  new S3Error(
    404,
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: id },
  )
export const badDigest = () =>
  new S3Error(
    400,
    'BadDigest',
    'The Content-MD5 or checksum value that you specified did not match what the server received.',
  )

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex')
export const crcBase64 = (crc: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(crc >>> 0)
  return b.toString('base64')
}

/**
 * Decodes `Content-Encoding: aws-chunked` bodies (`<hex size>[;chunk-signature=…]\r\n<data>\r\n…0\r\n`
 * then trailers such as `x-amz-checksum-crc32:…`), what the SDK sends for streamed payloads.
 */
export class AwsChunkedDecoder extends Transform {
  /** Trailer headers, lower-cased names (complete once the stream has ended). */
  readonly trailers: Record<string, string> = {}
  private buf: Buffer = Buffer.alloc(0)
  private state: 'size' | 'data' | 'crlf' | 'trailer' | 'done' = 'size'
  private remaining = 0

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    try {
      this.drain()
      cb()
    } catch (err) {
      cb(err as Error)
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.state === 'done' || (this.state === 'trailer' && this.buf.length === 0)) cb()
    else
      cb(
        new S3Error(
          400,
          'IncompleteBody',
          'You did not provide the number of bytes specified by the chunks.',
        ),
      )
  }

  private drain(): void {
    for (;;) {
      if (this.state === 'done') {
        this.buf = Buffer.alloc(0)
        return
      }
      if (this.state === 'data') {
        if (!this.buf.length) return
        const n = Math.min(this.remaining, this.buf.length)
        this.push(this.buf.subarray(0, n))
        this.buf = this.buf.subarray(n)
        this.remaining -= n
        if (this.remaining === 0) this.state = 'crlf'
        continue
      }
      if (this.state === 'crlf') {
        if (this.buf.length < 2) return
        if (this.buf[0] !== 13 || this.buf[1] !== 10) throw malformedChunk()
        this.buf = this.buf.subarray(2)
        this.state = 'size'
        continue
      }
      const eol = this.buf.indexOf('\r\n')
      if (eol < 0) {
        if (this.buf.length > 8192) throw malformedChunk()
        return
      }
      const line = this.buf.subarray(0, eol).toString('latin1')
      this.buf = this.buf.subarray(eol + 2)
      if (this.state === 'size') {
        const hex = line.split(';')[0]!.trim()
        if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw malformedChunk()
        const size = Number.parseInt(hex, 16)
        if (size === 0) this.state = 'trailer'
        else {
          this.state = 'data'
          this.remaining = size
        }
      } else if (line === '') {
        this.state = 'done'
      } else {
        const i = line.indexOf(':')
        if (i > 0) this.trailers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
      }
    }
  }
}

const malformedChunk = () => new S3Error(400, 'InvalidChunkSizeError', 'The chunked encoding is malformed.')

export const xmlEscape = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)
export const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/'

/** The raw query as ordered name/value pairs, percent-decoded (`+` stays `+`, as S3 reads it). */
export function queryPairs(rawQuery: string): [string, string][] {
  try {
    return rawQuery
      .split('&')
      .filter(Boolean)
      .map((p) => {
        const i = p.indexOf('=')
        return [
          decodeURIComponent(i < 0 ? p : p.slice(0, i)),
          decodeURIComponent(i < 0 ? '' : p.slice(i + 1)),
        ]
      })
  } catch {
    throw new S3Error(400, 'InvalidArgument', 'The query string is not properly encoded.')
  }
}

export function parseRange(header: string, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  // S3 ignores a Range it cannot parse (several ranges included) and sends the whole object.
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  let start: number
  let end: number
  if (m[1] === '') {
    const suffix = Number(m[2])
    if (suffix === 0) throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable')
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  }
  if (start >= size || start > end)
    throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', {
      RangeRequested: header,
      ActualObjectSize: String(size),
    })
  return { start, end }
}

/** Parts named by a CompleteMultipartUpload body, in the order given. */
export function completedParts(xml: string): { number: number; etag: string }[] {
  if (!/<CompleteMultipartUpload[\s>]/.test(xml))
    throw new S3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    )
  const parts: { number: number; etag: string }[] = []
  for (const m of xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
    const number = Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1]!)?.[1])
    const etag = /<ETag>([\s\S]*?)<\/ETag>/
      .exec(m[1]!)?.[1]
      ?.trim()
      .replace(/&quot;/g, '"')
    if (!Number.isInteger(number) || !etag)
      throw new S3Error(
        400,
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema.',
      )
    parts.push({ number, etag: etag.startsWith('"') ? etag : `"${etag}"` })
  }
  if (!parts.length)
    throw new S3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    )
  return parts
}

export async function readText(req: Readable, limit = 1_048_576): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw new S3Error(400, 'MaxMessageLengthExceeded', 'Your request was too big.')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
