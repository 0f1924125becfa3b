/**
 * The real app: every registered service manifest, in dev and prod. Generic on purpose: whatever
 * the manifests declare (they grow while the team works), the stacks must contain exactly that.
 */
import { describe, expect, it } from 'vitest'
import { isEmpty } from '../../infra/lib/crm-app.js'
import { services } from '../../services/index.js'
import { assertRuntime, assertServiceMatchesManifest, references, resources } from './assertions.js'
import { build } from './helpers.js'

describe.each(['dev', 'prod'] as const)('registered services in %s', (stage) => {
  const built = build(stage, services)

  const deployable = services.filter((s) => !isEmpty(s.manifest))

  it('has the shared stack and one stack per manifest with tables or functions', () => {
    expect(built.shared.stackName).toBe(`crm-${stage}-shared`)
    expect(built.services.map((s) => s.stackName)).toEqual(
      deployable.map((s) => `crm-${stage}-${s.manifest.name}`),
    )
  })

  it.each(deployable.map((s) => [s.manifest.name, s.manifest] as const))(
    '%s matches its manifest',
    (_name, m) => {
      assertServiceMatchesManifest(built.template(`crm-${stage}-${m.name}`), stage, m)
    },
  )

  it('runs every function on nodejs22.x / arm64', () => {
    for (const s of [built.shared, ...built.services]) assertRuntime(built.template(s.stackName))
  })

  it('never lets a service stack import another service stack (only the shared one)', () => {
    for (const s of built.services) {
      const refs = references(resources(built.template(s.stackName)), {
        ids: new Set(),
        imports: [],
        strings: [],
      })
      for (const imported of refs.imports)
        expect(JSON.stringify(imported), s.stackName).toContain(`crm-${stage}-shared:`)
    }
  })
})
