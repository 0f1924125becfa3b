/**
 * The one test that really runs esbuild (on the small fixture stack only; `npm run synth` bundles
 * every real function): each function ships as a minified ESM `index.mjs` with the createRequire banner.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ownFunctions } from './assertions.js'
import { build, fixtureOutboxPublisher, fixtureQueuePublisher, fixtureServices } from './helpers.js'

describe('esbuild bundling', () => {
  it('bundles every fixture function as minified ESM with a require shim', () => {
    // Prepare
    const built = build('dev', fixtureServices, {
      bundleStacks: ['crm-dev-orders', 'crm-dev-orders-1'],
      outboxPublisherEntry: fixtureOutboxPublisher,
      queuePublisherEntry: fixtureQueuePublisher,
    })
    // Act
    const assembly = built.app.synth()
    const functions = ownFunctions(built.service('orders'))
    // Assess
    expect(functions.length).toBeGreaterThan(0)
    for (const [id, fn] of functions) {
      const key = (fn.Properties.Code as { S3Key: string }).S3Key
      const dir = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`)
      expect(existsSync(dir), `${id} asset`).toBe(true)
      expect(readdirSync(dir)).toEqual(['index.mjs'])
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8')
      expect(code.startsWith("import { createRequire as __relayCreateRequire } from 'node:module'")).toBe(
        true,
      )
      expect(code).toMatch(/export\s*\{/)
      expect(code).not.toContain('sourceMappingURL')
      // Minified: the fixture's comments are gone and the code fits in a few lines.
      expect(code).not.toContain('Fixture handler')
      expect(code.split('\n').length).toBeLessThan(10)
    }
  }, 120_000)
})
