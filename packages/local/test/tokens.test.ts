import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt, SignJWT } from 'jose'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { claimsAsDelivered } from '../src/gateway.js'
import { DEV_AUDIENCE, DEV_ISSUER, devSecret, mintDevToken, verifyDevToken } from '../src/tokens.js'

const dataDir = mkdtempSync(join(tmpdir(), 'relay-tokens-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('dev tokens', () => {
  it('mints a token with Cognito-like claims that verifies', async () => {
    // Act
    const token = await mintDevToken({ tenant: 'acme', roles: ['admin', 'sales'], user: 'u-1' }, { dataDir })
    const claims = await verifyDevToken(token, { dataDir })

    // Assess
    expect(claims).toMatchObject({
      sub: 'u-1',
      'custom:tenantId': 'acme',
      'cognito:groups': ['admin', 'sales'],
      iss: 'relay-local',
    })
    expect(claims!.exp - claims!.iat).toBe(12 * 3600)
    expect(decodeJwt(token)['cognito:groups']).toEqual(['admin', 'sales'])
  })

  it('defaults the user to u-<tenant>', async () => {
    const token = await mintDevToken({ tenant: 'acme', roles: ['viewer'] }, { dataDir })
    expect((await verifyDevToken(token, { dataDir }))?.sub).toBe('u-acme')
  })

  it('rejects a tampered token, garbage, and a token signed with another secret', async () => {
    // Prepare
    const token = await mintDevToken({ tenant: 'acme', roles: ['admin'] }, { dataDir })
    const [h, p, s] = token.split('.')
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(token), 'custom:tenantId': 'evil' })).toString('base64url')}.${s}`
    const otherDir = mkdtempSync(join(tmpdir(), 'relay-tokens-other-'))
    const foreign = await mintDevToken({ tenant: 'acme', roles: ['admin'] }, { dataDir: otherDir })
    rmSync(otherDir, { recursive: true, force: true })

    // Act / Assess
    expect(p).toBeTruthy()
    expect(await verifyDevToken(forged, { dataDir })).toBeUndefined()
    expect(await verifyDevToken('not-a-jwt', { dataDir })).toBeUndefined()
    expect(await verifyDevToken(foreign, { dataDir })).toBeUndefined()
  })

  it('refuses correctly signed tokens the JWT authorizer would refuse', async () => {
    // Prepare: every token below is signed with the right secret; each breaks one rule.
    const now = Math.floor(Date.now() / 1000)
    const good = {
      sub: 'u-1',
      'custom:tenantId': 'acme',
      'cognito:groups': ['admin'],
      token_use: 'id',
      iss: DEV_ISSUER,
      aud: DEV_AUDIENCE,
      iat: now - 10,
      exp: now + 3600,
    }
    const sign = async (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(await devSecret(dataDir))
    const without = (key: keyof typeof good) =>
      Object.fromEntries(Object.entries(good).filter(([k]) => k !== key))

    // Act / Assess
    expect(await verifyDevToken(await sign(good), { dataDir })).toBeDefined()
    const refused = {
      'no exp': without('exp'),
      'exp past': { ...good, exp: now - 1 },
      'nbf in the future': { ...good, nbf: now + 600 },
      'iat in the future': { ...good, iat: now + 600 },
      'no iat': without('iat'),
      'wrong aud': { ...good, aud: 'someone-else' },
      'no aud': without('aud'),
      'wrong iss': { ...good, iss: 'https://cognito-idp.example/other' },
      'access token': { ...good, token_use: 'access' },
      'no token_use': without('token_use'),
      'no tenant': without('custom:tenantId'),
      'no sub': without('sub'),
    }
    for (const [why, claims] of Object.entries(refused)) {
      expect(await verifyDevToken(await sign(claims), { dataDir }), why).toBeUndefined()
    }
  })

  it('keeps the secret in the data folder so tokens survive a restart', async () => {
    const token = await mintDevToken({ tenant: 'acme', roles: ['admin'] }, { dataDir })
    // A fresh module instance has no cached secret: it must read the same file.
    vi.resetModules()
    const fresh = await import('../src/tokens.js')
    expect(await fresh.verifyDevToken(token, { dataDir })).toBeDefined()
  })

  it('delivers claims as HTTP API does: strings, arrays as [a b]', () => {
    expect(claimsAsDelivered({ sub: 'u', 'cognito:groups': ['admin', 'sales'], exp: 123 })).toEqual({
      sub: 'u',
      'cognito:groups': '[admin sales]',
      exp: '123',
    })
  })
})
