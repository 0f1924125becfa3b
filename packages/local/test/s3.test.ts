/**
 * The local S3 endpoint driven with the real @aws-sdk/client-s3, @aws-sdk/lib-storage and presigned
 * URLs fetched as a browser would: objects, ranges, multipart, signatures, expiry, checksums, and
 * the object trigger's S3 event.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { S3Event } from 'aws-lambda'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type LocalRuntime, startLocal } from '../src/runtime.js'
import { AwsChunkedDecoder, eventKey } from '../src/s3/index.js'
import { filesService, uniqueStage } from './fixtures/index.js'

const g = globalThis as { __s3Events?: S3Event[] }
const dataDir = mkdtempSync(join(tmpdir(), 'relay-s3-'))
let rt: LocalRuntime
let s3: S3Client
let bucket: string

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }
const clientOf = (config: Partial<ConstructorParameters<typeof S3Client>[0]> = {}) =>
  new S3Client({ region: 'us-east-1', credentials, endpoint: rt.s3Endpoint, forcePathStyle: true, ...config })

beforeAll(async () => {
  rt = await startLocal({
    port: 0,
    stage: uniqueStage('s3'),
    dataDir,
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!,
    services: [filesService],
    quiet: true,
    schedules: false,
    retryDelaysMs: [5, 5],
    streamHandler: async () => ({ batchItemFailures: [] }),
  })
  // The SDK's defaults (checksums on, aws-chunked streaming) are what functions and tests send.
  s3 = clientOf()
  bucket = process.env.FILES_UPLOADS_BUCKET!
})
afterAll(async () => {
  s3?.destroy()
  await rt?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})
beforeEach(() => {
  g.__s3Events = []
})

const text = async (body: unknown) => (body as { transformToString(): Promise<string> }).transformToString()

describe('objects through @aws-sdk/client-s3', () => {
  it('gives each manifest bucket its env var and a crm-<stage>-<service>-<bucket> name', () => {
    expect(bucket).toBe(`crm-${rt.stage}-files-uploads`)
    expect(process.env.S3_ENDPOINT).toBe(rt.s3Endpoint)
  })

  it('puts, heads, gets, ranges and deletes an object', async () => {
    // Prepare
    const body = 'id,name\n1,สมชาย\n2,Siân\n'
    // Act
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'out/a b+c.csv',
        Body: body,
        ContentType: 'text/csv',
        Metadata: { job: 'j-1' },
      }),
    )
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'out/a b+c.csv' }))
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'out/a b+c.csv' }))
    const ranged = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'out/a b+c.csv', Range: 'bytes=3-6' }),
    )
    // Assess
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/)
    expect(head).toMatchObject({
      ContentLength: Buffer.byteLength(body),
      ContentType: 'text/csv',
      ETag: put.ETag,
      Metadata: { job: 'j-1' },
    })
    expect(await text(got.Body)).toBe(body)
    expect(ranged.ContentRange).toBe(`bytes 3-6/${Buffer.byteLength(body)}`)
    expect(await text(ranged.Body)).toBe('name')
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'out/a b+c.csv' }))
    await expect(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'out/a b+c.csv' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    })
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'out/a b+c.csv' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    })
  })

  it('answers an unknown bucket with NoSuchBucket and an unsatisfiable range with InvalidRange', async () => {
    await expect(s3.send(new GetObjectCommand({ Bucket: 'crm-nope-x-y', Key: 'k' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    })
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'out/small', Body: 'abc' }))
    await expect(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'out/small', Range: 'bytes=10-20' })),
    ).rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } })
  })

  it('decodes a streamed (aws-chunked, trailing CRC32) body of unknown length', async () => {
    // Prepare: a stream without a length makes the SDK send aws-chunked with a checksum trailer.
    const lines = Array.from({ length: 2_000 }, (_, i) => `${i},Row ${i}\n`)
    // Act
    await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: 'out/streamed.csv', Body: Readable.from(lines) },
    }).done()
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'out/streamed.csv' }))
    // Assess
    expect(await text(got.Body)).toBe(lines.join(''))
  })

  it('assembles a multipart upload (lib-storage, 2 parts) and checks part sizes like S3', async () => {
    // Prepare: 5 MiB + a bit, so lib-storage sends two parts.
    const big = Buffer.alloc(5 * 1024 * 1024 + 1000, 'x')
    big.write('first', 0)
    big.write('last!', big.length - 5)
    // Act
    const done = await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: 'out/big.bin', Body: Readable.from([big]) },
      partSize: 5 * 1024 * 1024,
    }).done()
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'out/big.bin' }))
    const tail = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'out/big.bin', Range: 'bytes=-5' }),
    )
    // Assess
    expect(done.ETag).toMatch(/-2"$/)
    expect(head.ContentLength).toBe(big.length)
    expect(await text(tail.Body)).toBe('last!')

    // A part under 5 MiB that is not the last one is refused, as S3 refuses it.
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'out/tiny' }))
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'out/tiny', UploadId, PartNumber: 1, Body: 'a' }),
    )
    const p2 = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'out/tiny', UploadId, PartNumber: 2, Body: 'b' }),
    )
    await expect(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'out/tiny',
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: p1.ETag },
              { PartNumber: 2, ETag: p2.ETag },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'EntityTooSmall' })
  })

  it('refuses a request without credentials (buckets block public access)', async () => {
    const res = await fetch(`${rt.s3Endpoint}/${bucket}/out/small`)
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('<Code>AccessDenied</Code>')
  })
})

describe('presigned URLs', () => {
  // As the functions presign: checksums only where required (see @relay/core/s3).
  const presigner = () => clientOf({ requestChecksumCalculation: 'WHEN_REQUIRED' })

  it('takes a presigned PUT and serves a presigned GET, fetched like a browser would', async () => {
    // Prepare
    const client = presigner()
    const key = 'out/สมชาย & Siân.csv'
    const putUrl = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: 'text/csv' }),
      {
        expiresIn: 900,
        signableHeaders: new Set(['content-type']),
      },
    )
    const getUrl = await getSignedUrl(
      client,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentDisposition: 'attachment; filename="contacts.csv"',
      }),
      { expiresIn: 3600 },
    )
    // Act
    const put = await fetch(putUrl, {
      method: 'PUT',
      headers: { 'content-type': 'text/csv' },
      body: '\uFEFFa,b\n1,2\n',
    })
    const got = await fetch(getUrl)
    // Assess
    expect(put.status, await put.clone().text()).toBe(200)
    expect(put.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/)
    expect(got.status).toBe(200)
    expect(got.headers.get('content-disposition')).toBe('attachment; filename="contacts.csv"')
    expect(got.headers.get('content-type')).toBe('text/csv')
    // Bytes, not text(): the WHATWG decoder would drop the BOM.
    expect(Buffer.from(await got.arrayBuffer()).toString('utf8')).toBe('\uFEFFa,b\n1,2\n')
    client.destroy()
  })

  it('refuses a presigned URL whose key, method or signed content-type was changed', async () => {
    // Prepare
    const client = presigner()
    const url = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: bucket, Key: 'out/mine.csv', ContentType: 'text/csv' }),
      { expiresIn: 900, signableHeaders: new Set(['content-type']) },
    )
    const otherKey = url.replace('/out/mine.csv', '/out/theirs.csv')
    // Act
    const moved = await fetch(otherKey, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'x' })
    const retyped = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: 'x' })
    const asGet = await fetch(url)
    // Assess
    for (const res of [moved, retyped, asGet]) {
      expect(res.status).toBe(403)
      expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>')
    }
    client.destroy()
  })

  it('answers an expired presigned URL with 403 AccessDenied "Request has expired"', async () => {
    // Prepare: signed two hours ago, valid one hour.
    const client = presigner()
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'out/old.csv', Body: 'x' }))
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: 'out/old.csv' }), {
      expiresIn: 3600,
      signingDate: new Date(Date.now() - 2 * 3600_000),
    })
    // Act
    const res = await fetch(url)
    const body = await res.text()
    // Assess
    expect(res.status).toBe(403)
    expect(body).toContain('<Code>AccessDenied</Code>')
    expect(body).toContain('<Message>Request has expired</Message>')
    client.destroy()
  })

  it('checks the CRC32 a presigned PUT names, as S3 does (why functions presign WHEN_REQUIRED)', async () => {
    // Prepare: the SDK's default signs the CRC32 of an empty body into the URL.
    const client = clientOf()
    const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: 'out/crc.csv' }), {
      expiresIn: 900,
    })
    // Act
    const res = await fetch(url, { method: 'PUT', body: 'not empty' })
    // Assess
    expect(url).toContain('x-amz-checksum-crc32=')
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('<Code>BadDigest</Code>')
    client.destroy()
  })

  it('answers a browser preflight for the CORS rule the CDK app sets', async () => {
    const res = await fetch(`${rt.s3Endpoint}/${bucket}/in/x.csv`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-methods')).toContain('PUT')
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type')
  })
})

describe('object triggers', () => {
  it('invokes the function with an S3 event shaped like S3 sends it, for keys under the prefix only', async () => {
    // Prepare
    const key = 'in/acme/Ffeil Siân (1).csv'
    const invoked = new Promise((resolve) => rt.objectTriggers.once('invoked', resolve))
    // Act
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'elsewhere/x.csv', Body: 'x' }))
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'a,b\n' }))
    await invoked
    await rt.objectTriggers.idle()
    // Assess
    expect(g.__s3Events).toHaveLength(1)
    const record = g.__s3Events![0]!.Records[0]!
    expect(record).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      awsRegion: 'us-east-1',
      s3: {
        configurationId: 'uploaded',
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { key: 'in/acme/Ffeil+Si%C3%A2n+%281%29.csv', size: 4 },
      },
    })
    expect(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '))).toBe(key)
  })

  it('reports a completed multipart upload as ObjectCreated:CompleteMultipartUpload', async () => {
    const invoked = new Promise((resolve) => rt.objectTriggers.once('invoked', resolve))
    await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: 'in/big.bin', Body: Readable.from([Buffer.alloc(6 * 1024 * 1024)]) },
      partSize: 5 * 1024 * 1024,
    }).done()
    await invoked
    expect(g.__s3Events![0]!.Records[0]).toMatchObject({
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      s3: { object: { key: 'in/big.bin', size: 6 * 1024 * 1024 } },
    })
  })

  it('retries a failing function twice, as Lambda retries an asynchronous invocation, then reports it', async () => {
    const failed = new Promise<{ attempts: number }>((resolve) => rt.objectTriggers.once('failed', resolve))
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/fail.csv', Body: 'x' }))
    expect((await failed).attempts).toBe(3)
    expect(g.__s3Events).toHaveLength(3)
  })
})

describe('helpers', () => {
  it('encodes event keys as S3 does (form encoding, slashes kept)', () => {
    expect(eventKey('imports/a b/ü=1.csv')).toBe('imports/a+b/%C3%BC%3D1.csv')
  })

  it('decodes aws-chunked bodies with signatures and trailers', async () => {
    const decoder = new AwsChunkedDecoder()
    const out: Buffer[] = []
    decoder.on('data', (c: Buffer) => out.push(c))
    decoder.end(
      Buffer.from('5;chunk-signature=ab\r\nhello\r\n1\r\n!\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n'),
    )
    await new Promise((r) => decoder.on('end', r))
    expect(Buffer.concat(out).toString()).toBe('hello!')
    expect(decoder.trailers).toEqual({ 'x-amz-checksum-crc32': 'NhCmhg==' })
  })
})
