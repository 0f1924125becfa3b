/**
 * Development tokens: HS256 JWTs shaped like the Cognito ID tokens the cloud authorizer accepts
 * (`sub`, `custom:tenantId`, `cognito:groups`). The secret is generated once into the data folder
 * (or taken from `RELAY_DEV_SECRET`), so tokens survive a restart.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import { defaultDataDir } from './paths.js'

export const DEV_ISSUER = 'relay-local'
/** The audience (Cognito: the app client id) the authorizer accepts. */
export const DEV_AUDIENCE = 'relay'
/** Cognito ID tokens carry `token_use: id`; an access token (`access`) is refused like the cloud's authorizer config. */
export const DEV_TOKEN_USE = 'id'
const LIFETIME = '12h'

export interface DevTokenRequest {
  tenant: string
  roles: readonly string[]
  /** Defaults to `u-<tenant>`. */
  user?: string
  /** Where the secret lives; default `<repo>/.relay` (or env `RELAY_DEV_SECRET`). */
  dataDir?: string
}

export interface DevClaims {
  sub: string
  'custom:tenantId': string
  'cognito:groups': string[]
  iss: string
  iat: number
  exp: number
  [claim: string]: unknown
}

export interface DevTokenOptions {
  /** Where the secret lives (file `dev-secret`); default `<repo>/.relay`. */
  dataDir?: string
}

const secrets = new Map<string, Promise<Uint8Array>>()

/** The signing secret: env `RELAY_DEV_SECRET`, else `<dataDir>/dev-secret`, created on first use. */
export function devSecret(dataDir = defaultDataDir): Promise<Uint8Array> {
  const fromEnv = process.env.RELAY_DEV_SECRET
  if (fromEnv) return Promise.resolve(new TextEncoder().encode(fromEnv))
  let secret = secrets.get(dataDir)
  if (!secret) {
    secret = loadOrCreateSecret(dataDir)
    secrets.set(dataDir, secret)
    secret.catch(() => secrets.delete(dataDir))
  }
  return secret
}

/**
 * The key of signed links in mail (`LINK_SIGNING_SECRET`: survey, tracking, unsubscribe links),
 * `<dataDir>/link-secret`: kept apart from the token secret, and kept across restarts so that links
 * already mailed stay valid.
 */
export async function linkSecret(dataDir = defaultDataDir): Promise<string> {
  return new TextDecoder().decode(await loadOrCreateSecret(dataDir, 'link-secret'))
}

async function loadOrCreateSecret(dataDir: string, name = 'dev-secret'): Promise<Uint8Array> {
  const file = join(dataDir, name)
  await mkdir(dataDir, { recursive: true })
  try {
    // 'wx': if two processes race, exactly one writes and both then read the winner's secret.
    await writeFile(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  return new TextEncoder().encode((await readFile(file, 'utf8')).trim())
}

/**
 * Mints a development token valid 12 hours.
 *
 * @example
 * const token = await mintDevToken({ tenant: 'demo', roles: ['admin'], dataDir: '.relay' })
 * await fetch(url, { headers: { authorization: `Bearer ${token}` } })
 */
export async function mintDevToken(request: DevTokenRequest, options: DevTokenOptions = {}): Promise<string> {
  if (!request.tenant) throw new Error('mintDevToken: tenant is required')
  return new SignJWT({
    'custom:tenantId': request.tenant,
    'cognito:groups': [...request.roles],
    token_use: DEV_TOKEN_USE,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.user ?? `u-${request.tenant}`)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(LIFETIME)
    .sign(await devSecret(request.dataDir ?? options.dataDir))
}

/**
 * Verifies a token as strictly as API Gateway's JWT authorizer: signature (HS256 only), `exp`
 * required and not past, `nbf` and `iat` not in the future, `iss` and `aud` exact, and
 * `token_use: id`. Returns the claims, or `undefined` for any invalid token.
 */
export async function verifyDevToken(
  token: string,
  options: DevTokenOptions = {},
): Promise<DevClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, await devSecret(options.dataDir), {
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat', 'sub'],
    })
    // jose checks `nbf` but not an `iat` ahead of the clock; the authorizer refuses both.
    if (typeof payload.iat !== 'number' || payload.iat > Math.ceil(Date.now() / 1000)) return undefined
    if (payload.token_use !== DEV_TOKEN_USE) return undefined
    if (typeof payload.sub !== 'string' || typeof payload['custom:tenantId'] !== 'string') return undefined
    return payload as DevClaims
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) return undefined
    throw err
  }
}
