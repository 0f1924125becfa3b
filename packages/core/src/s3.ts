/**
 * The shared S3 client of the functions that move files (import uploads, export jobs). A module of
 * its own: only the functions that import it bundle @aws-sdk/client-s3, so every other function's
 * cold start stays as it is (DESIGN §7).
 */
import { S3Client } from '@aws-sdk/client-s3'
import { bucketEnvVar, ENV } from './manifest.js'

let client: S3Client | undefined

/**
 * The S3 client, created on first use so that `S3_ENDPOINT` set after import (local runtime, tests)
 * is honoured. Against a local endpoint it addresses buckets by path (`<endpoint>/<bucket>/<key>`),
 * since `<bucket>.127.0.0.1` does not resolve.
 */
export function s3Client(): S3Client {
  if (!client) {
    const endpoint = process.env[ENV.s3Endpoint]
    client = new S3Client({
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      // With the SDK's default (WHEN_SUPPORTED) a presigned PutObject URL carries the CRC32 of an
      // empty body (`x-amz-checksum-crc32=AAAAAA==`), so S3 refuses every real upload to it with
      // BadDigest. Checksums are then sent only where an operation requires one.
      requestChecksumCalculation: 'WHEN_REQUIRED',
    })
  }
  return client
}

/** Forgets the shared client (tests that change `S3_ENDPOINT` or mock the client). */
export function resetS3Client(): void {
  client = undefined
}

/**
 * Physical name of one of a service's buckets, read from env `bucketEnvVar(service, bucket)`.
 *
 * @example
 * bucketName('contacts', 'files') // process.env.CONTACTS_FILES_BUCKET
 */
export function bucketName(service: string, bucket: string): string {
  const name = bucketEnvVar(service, bucket)
  const value = process.env[name]
  if (!value)
    throw new Error(`Environment variable ${name} (bucket '${bucket}' of service '${service}') is not set`)
  return value
}
