/**
 * A local S3 endpoint (REST API, path-style: `http://127.0.0.1:<port>/<bucket>/<key>`) so that
 * `@aws-sdk/client-s3`, `@aws-sdk/lib-storage` and presigned URLs work unchanged: PutObject, GetObject
 * (with `Range`), HeadObject, DeleteObject and the multipart upload calls (Create, UploadPart,
 * Complete, Abort), with S3's XML errors (`NoSuchKey` 404, ...). Objects live under
 * `<dataDir>/s3/<bucket>/` and are streamed to and from disk, never held whole in memory.
 *
 * Authentication, as S3 sees it:
 * - presigned URLs (`X-Amz-Signature` in the query, what clients get) are checked in full: expiry
 *   (`X-Amz-Date` + `X-Amz-Expires`, 403 `AccessDenied` "Request has expired") and the SigV4
 *   signature against the local credentials (403 `SignatureDoesNotMatch`), so a URL whose key,
 *   method or signed `content-type` is changed is refused as S3 would refuse it;
 * - requests signed in the `Authorization` header (the SDK's own calls from functions and tests) must
 *   name the local access key; their signature is not recomputed, since S3's header signing covers
 *   streamed payload encodings this endpoint has no reason to re-derive.
 * Checksums S3 verifies are verified too: `Content-MD5` and `x-amz-checksum-crc32` (header, query or
 * aws-chunked trailer) → 400 `BadDigest`.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, rename, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { crc32 } from 'node:zlib'
import type { S3Event } from 'aws-lambda'
import type { Invoker } from './invoke.js'
import { readJson, writeJsonAtomic } from './persist.js'

/** S3's smallest part (all but the last part of a multipart upload). */
export const MIN_PART_BYTES = 5 * 1024 * 1024
const MAX_PARTS = 10_000
/** A presigned URL may live at most 7 days (SigV4). */
const MAX_EXPIRES_SECONDS = 604_800

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

const noSuchKey = (key: string) =>
  new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key })
const noSuchUpload = (id: string) =>
  new S3Error(
    404,
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: id },
  )
const badDigest = () =>
  new S3Error(
    400,
    'BadDigest',
    'The Content-MD5 or checksum value that you specified did not match what the server received.',
  )

/** What is known of a stored object. */
export interface ObjectMeta {
  key: string
  size: number
  /** Quoted, as S3 sends it: `"<md5>"`, or `"<md5 of part md5s>-<parts>"` for a multipart upload. */
  etag: string
  contentType: string
  lastModified: string
  /** `x-amz-meta-*` headers, names lower-cased without the prefix. */
  metadata: Record<string, string>
  /** Data file name inside the bucket's `objects/` folder. */
  file: string
}

interface Staged {
  path: string
  size: number
  md5: Buffer
  crc32: number
}

interface UploadMeta {
  key: string
  contentType: string
  metadata: Record<string, string>
  initiated: string
}

interface PartMeta {
  number: number
  size: number
  etag: string
  md5: string
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex')
const crcBase64 = (crc: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(crc >>> 0)
  return b.toString('base64')
}

/** Counts, MD5s and CRC32s what flows through it. */
class Digest extends Transform {
  size = 0
  crc = 0
  private readonly hash = createHash('md5')
  private digest: Buffer | undefined

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length
    this.hash.update(chunk)
    this.crc = crc32(chunk, this.crc)
    cb(null, chunk)
  }

  md5(): Buffer {
    this.digest ??= this.hash.digest()
    return this.digest
  }
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

/** Objects and multipart uploads on disk: `<root>/<bucket>/objects/` and `/uploads/<uploadId>/`. */
export class ObjectStore {
  constructor(readonly root: string) {}

  private objectsDir(bucket: string): string {
    return join(this.root, bucket, 'objects')
  }

  private metaFile(bucket: string, key: string): string {
    // Keys are hashed into file names: any key (up to 1024 bytes, any characters) is a safe name.
    return join(this.objectsDir(bucket), `${sha256Hex(key)}.json`)
  }

  private uploadDir(bucket: string, uploadId: string): string {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw noSuchUpload(uploadId)
    return join(this.root, bucket, 'uploads', uploadId)
  }

  async head(bucket: string, key: string): Promise<ObjectMeta | undefined> {
    return readJson<ObjectMeta | undefined>(this.metaFile(bucket, key), undefined)
  }

  /** The object's bytes `[start, end]` (inclusive), streamed from disk. */
  open(bucket: string, meta: ObjectMeta, range?: { start: number; end: number }): Readable {
    return createReadStream(join(this.objectsDir(bucket), meta.file), range)
  }

  /** Writes a body to a new data file of the bucket, measuring it on the way. */
  async stage(bucket: string, body: Readable): Promise<Staged> {
    const dir = this.objectsDir(bucket)
    await mkdir(dir, { recursive: true })
    const path = join(dir, `${randomBytes(12).toString('hex')}.data`)
    const digest = new Digest()
    try {
      await pipeline(body, digest, createWriteStream(path))
    } catch (err) {
      await rm(path, { force: true })
      throw err
    }
    return { path, size: digest.size, md5: digest.md5(), crc32: digest.crc }
  }

  async discard(staged: Staged): Promise<void> {
    await rm(staged.path, { force: true })
  }

  /** Makes a staged file the object at `key` (the previous version's data is removed). */
  async commit(
    bucket: string,
    key: string,
    staged: Staged,
    attrs: { etag: string; contentType: string; metadata: Record<string, string> },
  ): Promise<ObjectMeta> {
    const previous = await this.head(bucket, key)
    const meta: ObjectMeta = {
      key,
      size: staged.size,
      etag: attrs.etag,
      contentType: attrs.contentType,
      lastModified: new Date().toISOString(),
      metadata: attrs.metadata,
      file: staged.path.slice(this.objectsDir(bucket).length + 1),
    }
    await writeJsonAtomic(this.metaFile(bucket, key), meta)
    if (previous && previous.file !== meta.file)
      await rm(join(this.objectsDir(bucket), previous.file), { force: true })
    return meta
  }

  async delete(bucket: string, key: string): Promise<void> {
    const meta = await this.head(bucket, key)
    if (!meta) return
    await rm(this.metaFile(bucket, key), { force: true })
    await rm(join(this.objectsDir(bucket), meta.file), { force: true })
  }

  async createUpload(bucket: string, upload: UploadMeta): Promise<string> {
    const uploadId = randomBytes(16).toString('hex')
    await writeJsonAtomic(join(this.uploadDir(bucket, uploadId), 'upload.json'), upload)
    return uploadId
  }

  async upload(bucket: string, uploadId: string): Promise<UploadMeta> {
    const meta = await readJson<UploadMeta | undefined>(
      join(this.uploadDir(bucket, uploadId), 'upload.json'),
      undefined,
    )
    if (!meta) throw noSuchUpload(uploadId)
    return meta
  }

  async putPart(bucket: string, uploadId: string, number: number, staged: Staged): Promise<PartMeta> {
    const dir = this.uploadDir(bucket, uploadId)
    const part: PartMeta = {
      number,
      size: staged.size,
      etag: `"${staged.md5.toString('hex')}"`,
      md5: staged.md5.toString('hex'),
    }
    await rename(staged.path, join(dir, `part-${number}.data`))
    await writeJsonAtomic(join(dir, `part-${number}.json`), part)
    return part
  }

  async part(bucket: string, uploadId: string, number: number): Promise<PartMeta | undefined> {
    return readJson<PartMeta | undefined>(
      join(this.uploadDir(bucket, uploadId), `part-${number}.json`),
      undefined,
    )
  }

  /** Concatenates the parts (already checked) into a staged object file. */
  async assemble(bucket: string, uploadId: string, numbers: readonly number[]): Promise<Staged> {
    const dir = this.uploadDir(bucket, uploadId)
    async function* parts() {
      for (const n of numbers) yield* createReadStream(join(dir, `part-${n}.data`))
    }
    return this.stage(bucket, Readable.from(parts()))
  }

  async abort(bucket: string, uploadId: string): Promise<void> {
    await rm(this.uploadDir(bucket, uploadId), { recursive: true, force: true })
  }

  /** Keys of a bucket (for tests and tools). */
  async keys(bucket: string): Promise<string[]> {
    let files: string[]
    try {
      files = (await readdir(this.objectsDir(bucket))).filter((f) => f.endsWith('.json'))
    } catch {
      return []
    }
    const metas = await Promise.all(
      files.map((f) => readJson<ObjectMeta | undefined>(join(this.objectsDir(bucket), f), undefined)),
    )
    return metas.flatMap((m) => (m ? [m.key] : [])).sort()
  }
}

/** One object created, as the endpoint reports it to the triggers. */
export interface ObjectCreated {
  bucket: string
  key: string
  size: number
  etag: string
  eventName: 'ObjectCreated:Put' | 'ObjectCreated:CompleteMultipartUpload'
  sourceIp: string
  requestId: string
  time: string
}

export interface S3ServerOptions {
  store: ObjectStore
  /** Physical names of the buckets that exist; any other is `NoSuchBucket`. */
  buckets: ReadonlySet<string>
  credentials: { accessKeyId: string; secretAccessKey: string }
  /** Called after each object is created (PutObject, CompleteMultipartUpload). */
  onObjectCreated?(event: ObjectCreated): void
  log?(line: string): void
}

const xmlEscape = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/'

/** The raw query as ordered name/value pairs, percent-decoded (`+` stays `+`, as S3 reads it). */
function queryPairs(rawQuery: string): [string, string][] {
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

/** RFC 3986 encoding as SigV4 wants it (everything but A-Z a-z 0-9 - _ . ~). */
const sigV4Encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (!m) return Number.NaN
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
}

/**
 * Checks a presigned request like S3: algorithm, credential, expiry, then the SigV4 signature of
 * the canonical request (method, the path as sent, the query without the signature, the signed
 * headers, `UNSIGNED-PAYLOAD`).
 *
 * @throws S3Error 400 AuthorizationQueryParametersError, 403 InvalidAccessKeyId / AccessDenied
 * ("Request has expired") / SignatureDoesNotMatch.
 */
export function verifyPresigned(
  req: { method: string; rawPath: string; rawQuery: string; headers: IncomingMessage['headers'] },
  credentials: { accessKeyId: string; secretAccessKey: string },
  now = Date.now(),
): void {
  const pairs = queryPairs(req.rawQuery)
  const q = new Map(pairs)
  const invalid = (message: string) => new S3Error(400, 'AuthorizationQueryParametersError', message)
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
    throw invalid('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
  const credential = q.get('X-Amz-Credential')
  const amzDate = q.get('X-Amz-Date')
  const expires = q.get('X-Amz-Expires')
  const signedHeaders = q.get('X-Amz-SignedHeaders')
  const signature = q.get('X-Amz-Signature')
  if (!credential || !amzDate || !expires || !signedHeaders || !signature) {
    throw invalid(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    )
  }
  const [accessKeyId, day, region, service, terminator] = credential.split('/')
  if (!day || !region || !service || terminator !== 'aws4_request')
    throw invalid('Error parsing the X-Amz-Credential parameter')
  if (accessKeyId !== credentials.accessKeyId) {
    throw new S3Error(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      {
        AWSAccessKeyId: accessKeyId ?? '',
      },
    )
  }
  const signedAt = parseAmzDate(amzDate)
  if (Number.isNaN(signedAt) || amzDate.slice(0, 8) !== day) throw invalid('Invalid X-Amz-Date')
  const seconds = Number(expires)
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRES_SECONDS)
    throw invalid('X-Amz-Expires must be less than a week (in seconds) that is 604800')
  const expiresAt = signedAt + seconds * 1000
  if (now > expiresAt) {
    throw new S3Error(403, 'AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expires,
      Expires: new Date(expiresAt).toISOString(),
      ServerTime: new Date(now).toISOString(),
    })
  }

  const canonicalQuery = pairs
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [sigV4Encode(k), sigV4Encode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  const names = signedHeaders.split(';')
  const canonicalHeaders = names
    .map((name) => {
      const value = req.headers[name]
      const text = Array.isArray(value) ? value.join(',') : (value ?? '')
      return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`
    })
    .join('')
  const canonicalRequest = [
    req.method,
    req.rawPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    q.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
  ].join('\n')
  const scope = `${day}/${region}/${service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n')
  let key: Buffer = createHmac('sha256', `AWS4${credentials.secretAccessKey}`).update(day).digest()
  for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest()
  const expected = createHmac('sha256', key).update(stringToSign).digest()
  const given = Buffer.from(signature, 'hex')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new S3Error(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { StringToSign: stringToSign, CanonicalRequest: canonicalRequest },
    )
  }
}

/** Header-signed requests must name the local access key; anonymous requests are refused (BLOCK_ALL). */
function authorize(req: IncomingMessage, rawPath: string, rawQuery: string, opts: S3ServerOptions): void {
  if (/(^|&)X-Amz-(Signature|Algorithm)=/.test(rawQuery)) {
    verifyPresigned(
      { method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers },
      opts.credentials,
    )
    return
  }
  const header = req.headers.authorization
  if (!header) throw new S3Error(403, 'AccessDenied', 'Access Denied')
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(header)?.[1]
  if (accessKeyId !== opts.credentials.accessKeyId) {
    throw new S3Error(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      {
        AWSAccessKeyId: accessKeyId ?? '',
      },
    )
  }
}

/** `x-amz-meta-*` headers → metadata. */
function metadataOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') out[name.slice(11)] = value
  }
  return out
}

/** The body as the client meant it: aws-chunked decoded (its trailers returned once read). */
function bodyOf(req: IncomingMessage): { body: Readable; trailers: () => Record<string, string> } {
  const encoding = String(req.headers['content-encoding'] ?? '')
  const sha = String(req.headers['x-amz-content-sha256'] ?? '')
  if (encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-')) {
    const decoder = new AwsChunkedDecoder()
    req.pipe(decoder)
    req.on('error', (err) => decoder.destroy(err))
    return { body: decoder, trailers: () => decoder.trailers }
  }
  return { body: req, trailers: () => ({}) }
}

/** Verifies `Content-MD5` and a CRC32 checksum given as header, query parameter or trailer. */
function checkDigests(
  staged: Staged,
  req: IncomingMessage,
  query: Map<string, string>,
  trailers: Record<string, string>,
): void {
  const md5 = req.headers['content-md5']
  if (typeof md5 === 'string' && md5 !== staged.md5.toString('base64')) throw badDigest()
  const crc =
    trailers['x-amz-checksum-crc32'] ??
    (req.headers['x-amz-checksum-crc32'] as string | undefined) ??
    query.get('x-amz-checksum-crc32')
  if (crc !== undefined && crc !== crcBase64(staged.crc32)) throw badDigest()
}

function parseRange(header: string, size: number): { start: number; end: number } | undefined {
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
function completedParts(xml: string): { number: number; etag: string }[] {
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

async function readText(req: Readable, limit = 1_048_576): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw new S3Error(400, 'MaxMessageLengthExceeded', 'Your request was too big.')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Answers of GetObject/HeadObject that a presigned GET may override (`response-content-type`, ...). */
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
  'response-content-language': 'content-language',
  'response-cache-control': 'cache-control',
  'response-expires': 'expires',
}

/** The CORS rule of every bucket (the CDK app sets the same): presigned browser uploads and downloads. */
const CORS_METHODS = ['GET', 'PUT', 'HEAD']

/** Creates the S3 endpoint server (not yet listening). */
export function createS3Server(opts: S3ServerOptions): Server {
  const log = opts.log ?? (() => {})

  const handle = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase()
    const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s, 2)
    const cors: Record<string, string> = req.headers.origin
      ? { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'ETag, x-amz-request-id' }
      : {}

    if (method === 'OPTIONS') {
      const wanted = String(req.headers['access-control-request-method'] ?? '').toUpperCase()
      if (!req.headers.origin || !CORS_METHODS.includes(wanted))
        throw new S3Error(403, 'AccessForbidden', 'CORSResponse: This CORS request is not allowed.')
      res.writeHead(200, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': CORS_METHODS.join(', '),
        'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? ''),
        'access-control-max-age': '3000',
        'x-amz-request-id': requestId,
      })
      res.end()
      return
    }

    const segments = rawPath.slice(1).split('/')
    let bucket: string
    let key: string
    try {
      bucket = decodeURIComponent(segments[0] ?? '')
      key = decodeURIComponent(segments.slice(1).join('/'))
    } catch {
      throw new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.")
    }
    if (!bucket)
      throw new S3Error(501, 'NotImplemented', 'Only bucket and object requests are served locally.')
    if (!opts.buckets.has(bucket))
      throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket })
    authorize(req, rawPath, rawQuery, opts)
    const query = new Map(queryPairs(rawQuery))
    const send = (status: number, headers: Record<string, string>, body?: string) => {
      res.writeHead(status, { ...cors, 'x-amz-request-id': requestId, ...headers })
      res.end(body)
    }
    const xml = (body: string) =>
      send(
        200,
        { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(XML_HEAD + body)) },
        XML_HEAD + body,
      )
    const created = (meta: ObjectMeta, eventName: ObjectCreated['eventName']) =>
      opts.onObjectCreated?.({
        bucket,
        key,
        size: meta.size,
        etag: meta.etag,
        eventName,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        requestId,
        time: meta.lastModified,
      })

    if (!key) {
      if (method === 'HEAD') return send(200, {})
      throw new S3Error(
        501,
        'NotImplemented',
        'Bucket operations other than HeadBucket are not served locally.',
      )
    }
    if (Buffer.byteLength(key) > 1024) throw new S3Error(400, 'KeyTooLongError', 'Your key is too long')

    const uploadId = query.get('uploadId')
    if (method === 'PUT' && uploadId !== undefined) {
      const number = Number(query.get('partNumber'))
      if (!Number.isInteger(number) || number < 1 || number > MAX_PARTS)
        throw new S3Error(
          400,
          'InvalidArgument',
          'Part number must be an integer between 1 and 10000, inclusive',
          {
            ArgumentName: 'partNumber',
          },
        )
      const upload = await opts.store.upload(bucket, uploadId)
      if (upload.key !== key) throw noSuchUpload(uploadId)
      const { body, trailers } = bodyOf(req)
      const staged = await opts.store.stage(bucket, body)
      try {
        checkDigests(staged, req, query, trailers())
      } catch (err) {
        await opts.store.discard(staged)
        throw err
      }
      const part = await opts.store.putPart(bucket, uploadId, number, staged)
      return send(200, { etag: part.etag, 'content-length': '0' })
    }
    if (method === 'PUT') {
      if (req.headers['x-amz-copy-source'])
        throw new S3Error(501, 'NotImplemented', 'CopyObject is not served locally.')
      const { body, trailers } = bodyOf(req)
      const staged = await opts.store.stage(bucket, body)
      try {
        checkDigests(staged, req, query, trailers())
      } catch (err) {
        await opts.store.discard(staged)
        throw err
      }
      const meta = await opts.store.commit(bucket, key, staged, {
        etag: `"${staged.md5.toString('hex')}"`,
        contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
        metadata: metadataOf(req),
      })
      log(`s3 put ${bucket}/${key} (${meta.size} bytes)`)
      send(200, { etag: meta.etag, 'content-length': '0' })
      created(meta, 'ObjectCreated:Put')
      return
    }
    if (method === 'POST' && query.has('uploads')) {
      const id = await opts.store.createUpload(bucket, {
        key,
        contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
        metadata: metadataOf(req),
        initiated: new Date().toISOString(),
      })
      return xml(
        `<InitiateMultipartUploadResult xmlns="${S3_NS}"><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
      )
    }
    if (method === 'POST' && uploadId !== undefined) {
      const upload = await opts.store.upload(bucket, uploadId)
      if (upload.key !== key) throw noSuchUpload(uploadId)
      const parts = completedParts(await readText(req))
      const found: PartMeta[] = []
      for (const [i, p] of parts.entries()) {
        if (i > 0 && p.number <= parts[i - 1]!.number)
          throw new S3Error(
            400,
            'InvalidPartOrder',
            'The list of parts was not in ascending order. Parts must be ordered by part number.',
            {
              UploadId: uploadId,
            },
          )
        const part = await opts.store.part(bucket, uploadId, p.number)
        if (!part || part.etag !== p.etag)
          throw new S3Error(
            400,
            'InvalidPart',
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
            {
              UploadId: uploadId,
              PartNumber: String(p.number),
              ETag: p.etag,
            },
          )
        if (i < parts.length - 1 && part.size < MIN_PART_BYTES)
          throw new S3Error(
            400,
            'EntityTooSmall',
            'Your proposed upload is smaller than the minimum allowed object size.',
            {
              ProposedSize: String(part.size),
              MinSizeAllowed: String(MIN_PART_BYTES),
              PartNumber: String(p.number),
              ETag: p.etag,
            },
          )
        found.push(part)
      }
      const staged = await opts.store.assemble(
        bucket,
        uploadId,
        found.map((p) => p.number),
      )
      const md5s = Buffer.concat(found.map((p) => Buffer.from(p.md5, 'hex')))
      const etag = `"${createHash('md5').update(md5s).digest('hex')}-${found.length}"`
      const meta = await opts.store.commit(bucket, key, staged, {
        etag,
        contentType: upload.contentType,
        metadata: upload.metadata,
      })
      await opts.store.abort(bucket, uploadId)
      log(`s3 put ${bucket}/${key} (${meta.size} bytes in ${found.length} parts)`)
      const host = req.headers.host ?? '127.0.0.1'
      xml(
        `<CompleteMultipartUploadResult xmlns="${S3_NS}"><Location>http://${xmlEscape(host)}/${xmlEscape(bucket)}/${xmlEscape(key)}</Location><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(etag)}</ETag></CompleteMultipartUploadResult>`,
      )
      created(meta, 'ObjectCreated:CompleteMultipartUpload')
      return
    }
    if (method === 'DELETE' && uploadId !== undefined) {
      await opts.store.upload(bucket, uploadId)
      await opts.store.abort(bucket, uploadId)
      return send(204, {})
    }
    if (method === 'DELETE') {
      await opts.store.delete(bucket, key)
      return send(204, {})
    }
    if (method === 'GET' || method === 'HEAD') {
      const meta = await opts.store.head(bucket, key)
      if (!meta) throw noSuchKey(key)
      const range =
        typeof req.headers.range === 'string' ? parseRange(req.headers.range, meta.size) : undefined
      const headers: Record<string, string> = {
        'content-type': meta.contentType,
        etag: meta.etag,
        'last-modified': new Date(meta.lastModified).toUTCString(),
        'accept-ranges': 'bytes',
        'content-length': String(range ? range.end - range.start + 1 : meta.size),
      }
      if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${meta.size}`
      for (const [name, value] of Object.entries(meta.metadata)) headers[`x-amz-meta-${name}`] = value
      for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
        const value = query.get(param)
        if (value !== undefined) headers[header] = value
      }
      res.writeHead(range ? 206 : 200, { ...cors, 'x-amz-request-id': requestId, ...headers })
      if (method === 'HEAD' || meta.size === 0) {
        res.end()
        return
      }
      await pipeline(opts.store.open(bucket, meta, range), res)
      return
    }
    throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
      Method: method,
      ResourceType: 'OBJECT',
    })
  }

  return createServer((req, res) => {
    const requestId = randomBytes(8).toString('hex').toUpperCase()
    handle(req, res, requestId).catch((err: unknown) => {
      const e =
        err instanceof S3Error
          ? err
          : new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.')
      if (!(err instanceof S3Error)) log(`s3 error: ${(err as Error).stack ?? err}`)
      if (res.headersSent) {
        res.destroy()
        return
      }
      // Unread request bytes would otherwise be taken for the next request on this connection.
      if (!req.complete) res.setHeader('connection', 'close')
      const cors: Record<string, string> = req.headers.origin ? { 'access-control-allow-origin': '*' } : {}
      if (req.method === 'HEAD') {
        res.writeHead(e.status, { ...cors, 'x-amz-request-id': requestId })
        res.end()
        return
      }
      const extra = Object.entries(e.extra)
        .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
        .join('')
      const body = `${XML_HEAD}<Error><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message>${extra}<RequestId>${requestId}</RequestId><HostId>${requestId}</HostId></Error>`
      res.writeHead(e.status, {
        ...cors,
        'content-type': 'application/xml',
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-request-id': requestId,
      })
      res.end(body)
    })
  })
}

/**
 * An object key as S3 writes it into event notifications: form-URL-encoded (`red flower.jpg` →
 * `red+flower.jpg`), `/` kept. Decode with `decodeURIComponent(key.replace(/\+/g, ' '))`.
 */
export function eventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/')
}

/** The S3 event notification of one created object, shaped as S3 sends it to Lambda. */
export function s3EventOf(created: ObjectCreated, configurationId: string, region: string): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: created.time,
        eventName: created.eventName,
        userIdentity: { principalId: 'AWS:LOCAL' },
        requestParameters: { sourceIPAddress: created.sourceIp },
        responseElements: { 'x-amz-request-id': created.requestId, 'x-amz-id-2': created.requestId },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId,
          bucket: {
            name: created.bucket,
            ownerIdentity: { principalId: 'LOCAL' },
            arn: `arn:aws:s3:::${created.bucket}`,
          },
          object: {
            key: eventKey(created.key),
            size: created.size,
            eTag: created.etag.replace(/"/g, ''),
            sequencer: Date.now().toString(16).toUpperCase().padStart(16, '0'),
          },
        },
      },
    ],
  }
}

/** One manifest object trigger, with its bucket's physical name. */
export interface ObjectTriggerRef {
  service: string
  name: string
  bucket: string
  prefix: string
  function: string
}

export interface ObjectTriggerEvents {
  /** A trigger's function handled the event. */
  invoked: [{ trigger: ObjectTriggerRef; event: S3Event; attempts: number }]
  /** A trigger's function failed on every try (Lambda would send it to the on-failure destination). */
  failed: [{ trigger: ObjectTriggerRef; event: S3Event; attempts: number; error: string }]
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * S3 → Lambda locally: each created object whose key starts with a trigger's prefix invokes the
 * trigger's function asynchronously, like S3's asynchronous invocation: a first try and as many
 * retries as delays are given (Lambda: 2).
 */
export class ObjectTriggers extends EventEmitter<ObjectTriggerEvents> {
  private readonly inFlight = new Set<Promise<void>>()
  private closed = false

  constructor(
    private readonly options: {
      triggers: readonly ObjectTriggerRef[]
      invoker: Invoker
      region: string
      retryDelaysMs: readonly number[]
      log?(line: string): void
    },
  ) {
    super()
  }

  notify(created: ObjectCreated): void {
    for (const trigger of this.options.triggers) {
      if (trigger.bucket !== created.bucket || !created.key.startsWith(trigger.prefix)) continue
      const job = this.deliver(trigger, s3EventOf(created, trigger.name, this.options.region))
      this.inFlight.add(job)
      void job.finally(() => this.inFlight.delete(job))
    }
  }

  /** Resolves when no invocation is in flight. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight])
  }

  /** Stops retrying; invocations under way finish. */
  async close(): Promise<void> {
    this.closed = true
    await this.idle()
  }

  private async deliver(trigger: ObjectTriggerRef, event: S3Event): Promise<void> {
    const delays = this.options.retryDelaysMs
    let lastError: unknown
    // Asynchronous like S3: never inside the PutObject call.
    await Promise.resolve()
    for (let i = 0; i <= delays.length; i++) {
      if (i > 0) {
        if (this.closed) break
        await sleep(delays[i - 1]!)
      }
      try {
        await this.options.invoker.invoke(trigger.service, trigger.function, event, 'event')
        this.emit('invoked', { trigger, event, attempts: i + 1 })
        return
      } catch (err) {
        lastError = err
        this.options.log?.(
          `s3: ${trigger.service}/${trigger.name} failed on ${event.Records[0]?.s3.object.key} (try ${i + 1}): ${(err as Error).message}`,
        )
      }
    }
    const error = lastError instanceof Error ? lastError.message : String(lastError)
    this.options.log?.(`s3: ${trigger.service}/${trigger.name} gave up: ${error}`)
    this.emit('failed', { trigger, event, attempts: delays.length + 1, error })
  }
}
