/**
 * Signed links in mail (survey ratings, open and click tracking, unsubscribe): the link itself is
 * the credential, so it carries its claims signed with the stage's key (HS256 JWS via jose), a
 * purpose (the JWT audience: a tracking token can't be replayed as a rating) and an expiry.
 * Single use is the caller's store's job (record the `jti`); this module only proves the link is ours.
 *
 * The key: `LINK_SIGNING_SECRET` locally; in the cloud the secret named by `LINK_SECRET_ARN`, read
 * through Powertools' parameters utility, which caches it across invocations.
 */
import { errors, jwtVerify, SignJWT } from 'jose'
import { ENV } from './manifest.js'
import { Unauthenticated } from './outcomes.js'

/** Seconds a fetched secret is reused before Secrets Manager is asked again (rotation takes effect within it). */
const SECRET_MAX_AGE_SECONDS = 300
/** HS256 wants at least 256 bits of key (RFC 7518 §3.2). */
const MIN_KEY_BYTES = 32

let cached: { key: Uint8Array; raw: string } | undefined

async function secret(): Promise<string> {
  const local = process.env[ENV.linkSigningSecret]
  if (local) return local
  const arn = process.env[ENV.linkSecretArn]
  if (!arn) throw new Error(`Signed links need ${ENV.linkSigningSecret} or ${ENV.linkSecretArn}`)
  // Imported here so that functions that only read the local key never load the Secrets Manager client.
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets')
  const value = await getSecret(arn, { maxAge: SECRET_MAX_AGE_SECONDS })
  if (typeof value !== 'string') throw new Error('The link-signing secret must be a string')
  return value
}

async function key(): Promise<Uint8Array> {
  const raw = await secret()
  if (cached?.raw !== raw) {
    const bytes = new TextEncoder().encode(raw)
    if (bytes.byteLength < MIN_KEY_BYTES)
      throw new Error(`The link-signing key needs ${MIN_KEY_BYTES}+ bytes`)
    cached = { key: bytes, raw }
  }
  return cached.key
}

/**
 * A compact, URL-safe token for `purpose` carrying `claims`.
 *
 * @example
 * const token = await signLink('csat', { t: tenantId, tk: ticketId }, { expiresInSeconds: 14 * 86_400, jti: surveyId })
 * const url = `${publicBaseUrl()}/public/csat/${token}`
 */
export async function signLink(
  purpose: string,
  claims: Readonly<Record<string, string | number>>,
  opts: { expiresInSeconds: number; jti?: string },
): Promise<string> {
  const jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience(purpose)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + opts.expiresInSeconds)
  if (opts.jti) jwt.setJti(opts.jti)
  return jwt.sign(await key())
}

/**
 * The claims of a token this stage signed for `purpose`.
 *
 * @throws Unauthenticated when the token is malformed, forged, expired or was signed for another purpose.
 */
export async function verifyLink(
  purpose: string,
  token: string,
): Promise<Record<string, unknown> & { jti?: string; exp: number }> {
  try {
    const { payload } = await jwtVerify(token, await key(), { audience: purpose, algorithms: ['HS256'] })
    return payload as Record<string, unknown> & { jti?: string; exp: number }
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new Unauthenticated('This link has expired.')
    if (error instanceof errors.JOSEError) throw new Unauthenticated('This link is not valid.')
    throw error
  }
}

/** The API's public URL, without a trailing slash: links in mail point there. */
export function publicBaseUrl(): string {
  return (process.env[ENV.publicBaseUrl] || 'http://localhost:3000').replace(/\/+$/, '')
}

/** Forgets the cached key (tests that change the secret). */
export function resetLinkKey(): void {
  cached = undefined
}
