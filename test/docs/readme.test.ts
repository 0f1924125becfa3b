import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { README, withTables } from './readme-tables.js'

describe('README', () => {
  it('lists every route, event, subscription and queue as the manifests declare them (npm run readme)', () => {
    const readme = readFileSync(README, 'utf8')
    expect(withTables(readme)).toBe(readme)
  })
})
