/**
 * The local S3 endpoint's HTTP server (REST API, path-style: `http://127.0.0.1:<port>/<bucket>/<key>`):
 * PutObject, GetObject (with `Range`), HeadObject, DeleteObject and the multipart upload calls
 * (Create, UploadPart, Complete, Abort), with S3's XML errors (`NoSuchKey` 404, ...). Who may ask is
 * decided by `./signature.ts`. Checksums S3 verifies are verified too: `Content-MD5` and
 * `x-amz-checksum-crc32` (header, query or aws-chunked trailer) → 400 `BadDigest`.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  AwsChunkedDecoder,
  badDigest,
  completedParts,
  crcBase64,
  noSuchKey,
  noSuchUpload,
  parseRange,
  queryPairs,
  readText,
  S3_NS,
  S3Error,
  XML_HEAD,
  xmlEscape,
} from './codec.js'
import { authorize } from './signature.js'
import type { ObjectMeta, ObjectStore, PartMeta, Staged } from './store.js'

/** S3's smallest part (all but the last part of a multipart upload). */
export const MIN_PART_BYTES = 5 * 1024 * 1024
const MAX_PARTS = 10_000
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

/** Writes the request body to a staged file and checks its digests; a mismatch leaves nothing behind. */
async function stageChecked(
  store: ObjectStore,
  bucket: string,
  req: IncomingMessage,
  query: Map<string, string>,
): Promise<Staged> {
  const { body, trailers } = bodyOf(req)
  const staged = await store.stage(bucket, body)
  try {
    checkDigests(staged, req, query, trailers())
  } catch (err) {
    await store.discard(staged)
    throw err
  }
  return staged
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
    authorize(req, rawPath, rawQuery, opts.credentials)
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
      const staged = await stageChecked(opts.store, bucket, req, query)
      const part = await opts.store.putPart(bucket, uploadId, number, staged)
      return send(200, { etag: part.etag, 'content-length': '0' })
    }
    if (method === 'PUT') {
      if (req.headers['x-amz-copy-source'])
        throw new S3Error(501, 'NotImplemented', 'CopyObject is not served locally.')
      const staged = await stageChecked(opts.store, bucket, req, query)
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
