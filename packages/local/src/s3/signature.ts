/**
 * Authentication as S3 does it locally: presigned URLs (`X-Amz-Signature` in the query, what
 * clients get) are checked in full: expiry (`X-Amz-Date` + `X-Amz-Expires`, 403 `AccessDenied`
 * "Request has expired") and the SigV4 signature against the local credentials (403
 * `SignatureDoesNotMatch`), so a URL whose key, method or signed `content-type` is changed is
 * refused as S3 would refuse it. Requests signed in the `Authorization` header (the SDK's own calls
 * from functions and tests) must name the local access key; their signature is not recomputed,
 * since S3's header signing covers streamed payload encodings this endpoint has no reason to
 * re-derive.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { queryPairs, S3Error, sha256Hex } from './codec.js'

/** A presigned URL may live at most 7 days (SigV4). */
const MAX_EXPIRES_SECONDS = 604_800

const unknownAccessKey = (accessKeyId: string | undefined) =>
  new S3Error(
    403,
    'InvalidAccessKeyId',
    'The AWS Access Key Id you provided does not exist in our records.',
    {
      AWSAccessKeyId: accessKeyId ?? '',
    },
  )

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
  if (accessKeyId !== credentials.accessKeyId) throw unknownAccessKey(accessKeyId)
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
export function authorize(
  req: IncomingMessage,
  rawPath: string,
  rawQuery: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): void {
  if (/(^|&)X-Amz-(Signature|Algorithm)=/.test(rawQuery)) {
    verifyPresigned({ method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers }, credentials)
    return
  }
  const header = req.headers.authorization
  if (!header) throw new S3Error(403, 'AccessDenied', 'Access Denied')
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(header)?.[1]
  if (accessKeyId !== credentials.accessKeyId) throw unknownAccessKey(accessKeyId)
}
