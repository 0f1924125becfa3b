import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Unauthenticated } from '../src/outcomes.js'
import { publicBaseUrl, resetLinkKey, signLink, verifyLink } from '../src/signed-link.js'

beforeEach(() => {
  resetLinkKey()
  vi.stubEnv('LINK_SIGNING_SECRET', 'k'.repeat(40))
})
afterEach(() => {
  vi.unstubAllEnvs()
  vi.useRealTimers()
})

describe('signed links', () => {
  it('round-trips claims for the same purpose', async () => {
    const token = await signLink('csat', { t: 'acme', tk: 'T1' }, { expiresInSeconds: 60, jti: 's-1' })
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    const claims = await verifyLink('csat', token)
    expect(claims).toMatchObject({ t: 'acme', tk: 'T1', jti: 's-1', aud: 'csat' })
  })

  it('refuses a token signed for another purpose', async () => {
    const token = await signLink('open', { t: 'acme' }, { expiresInSeconds: 60 })
    await expect(verifyLink('click', token)).rejects.toBeInstanceOf(Unauthenticated)
  })

  it('refuses a tampered and an expired token', async () => {
    const token = await signLink('csat', { t: 'acme' }, { expiresInSeconds: 1 })
    const [h, p, s] = token.split('.')
    const forged = `${h}.${Buffer.from(JSON.stringify({ t: 'evil', aud: 'csat', exp: 9e9 })).toString('base64url')}.${s}`
    expect(p).toBeDefined()
    await expect(verifyLink('csat', forged)).rejects.toThrow('not valid')
    vi.useFakeTimers({ now: Date.now() + 120_000 })
    await expect(verifyLink('csat', token)).rejects.toThrow('expired')
  })

  it('refuses a token signed with another key', async () => {
    const token = await signLink('csat', { t: 'acme' }, { expiresInSeconds: 60 })
    resetLinkKey()
    vi.stubEnv('LINK_SIGNING_SECRET', 'z'.repeat(40))
    await expect(verifyLink('csat', token)).rejects.toBeInstanceOf(Unauthenticated)
  })

  it('needs a key of 32 bytes or more', async () => {
    vi.stubEnv('LINK_SIGNING_SECRET', 'short')
    await expect(signLink('csat', {}, { expiresInSeconds: 60 })).rejects.toThrow('32+ bytes')
  })

  it('builds links on PUBLIC_BASE_URL without a trailing slash', () => {
    vi.stubEnv('PUBLIC_BASE_URL', 'https://api.example.com/')
    expect(publicBaseUrl()).toBe('https://api.example.com')
  })
})
